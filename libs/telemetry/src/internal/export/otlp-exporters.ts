import type { MeterProvider } from '@opentelemetry/api';
import { OTLPLogExporter as GrpcLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { OtlpExport, OtlpProtocol } from '../../types';

/**
 * What tracehop resolves itself: the URL (tracehop's defaults and per-signal resolution) and the
 * timeout (RetryingExporter bounds its attempts by it). Headers, compression, certificates and
 * OTEL_EXPORTER_OTLP_*INSECURE the exporters read from the environment themselves (0.301.0: options
 * given in code win, the environment fills in the rest; test/export-otlp-environment.spec.ts).
 */
interface ExporterConfig {
  url: string;
  timeoutMillis: number;
  /** Where the exporter reports otel.sdk.exporter.* (spans exported, export duration); none: no-op. */
  selfObsMeterProvider?: MeterProvider;
}

/** The exporter of each protocol, per signal: a protocol missing from a table does not compile. */
const TRACE_EXPORTERS: Record<OtlpProtocol, (config: ExporterConfig) => SpanExporter> = {
  grpc: (config) => new GrpcTraceExporter(config),
  'http/protobuf': (config) => new ProtoTraceExporter(config),
  'http/json': (config) => new JsonTraceExporter(config),
};
const METRIC_EXPORTERS: Record<OtlpProtocol, (config: ExporterConfig) => PushMetricExporter> = {
  grpc: (config) => new GrpcMetricExporter(config),
  'http/protobuf': (config) => new ProtoMetricExporter(config),
  'http/json': (config) => new JsonMetricExporter(config),
};
const LOG_EXPORTERS: Record<OtlpProtocol, (config: ExporterConfig) => LogRecordExporter> = {
  grpc: (config) => new GrpcLogExporter(config),
  'http/protobuf': (config) => new ProtoLogExporter(config),
  'http/json': (config) => new JsonLogExporter(config),
};

const config = ({ endpoint, timeoutMillis }: OtlpExport): ExporterConfig => ({ url: endpoint, timeoutMillis });
export const traceExporter = (target: OtlpExport, selfObsMeterProvider?: MeterProvider): SpanExporter =>
  TRACE_EXPORTERS[target.protocol]({ ...config(target), selfObsMeterProvider });
export const metricExporter = (target: OtlpExport): PushMetricExporter => METRIC_EXPORTERS[target.protocol](config(target));
export const logExporter = (target: OtlpExport): LogRecordExporter => LOG_EXPORTERS[target.protocol](config(target));
