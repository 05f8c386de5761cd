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

/** The exporter of each protocol, per signal: a protocol missing from a table does not compile. */
const TRACE_EXPORTERS: Record<OtlpProtocol, (url: string) => SpanExporter> = {
  grpc: (url) => new GrpcTraceExporter({ url }),
  'http/protobuf': (url) => new ProtoTraceExporter({ url }),
  'http/json': (url) => new JsonTraceExporter({ url }),
};
const METRIC_EXPORTERS: Record<OtlpProtocol, (url: string) => PushMetricExporter> = {
  grpc: (url) => new GrpcMetricExporter({ url }),
  'http/protobuf': (url) => new ProtoMetricExporter({ url }),
  'http/json': (url) => new JsonMetricExporter({ url }),
};
const LOG_EXPORTERS: Record<OtlpProtocol, (url: string) => LogRecordExporter> = {
  grpc: (url) => new GrpcLogExporter({ url }),
  'http/protobuf': (url) => new ProtoLogExporter({ url }),
  'http/json': (url) => new JsonLogExporter({ url }),
};

export const traceExporter = ({ protocol, endpoint }: OtlpExport): SpanExporter => TRACE_EXPORTERS[protocol](endpoint);
export const metricExporter = ({ protocol, endpoint }: OtlpExport): PushMetricExporter => METRIC_EXPORTERS[protocol](endpoint);
export const logExporter = ({ protocol, endpoint }: OtlpExport): LogRecordExporter => LOG_EXPORTERS[protocol](endpoint);
