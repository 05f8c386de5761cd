import type { MeterProvider } from '@opentelemetry/api';
import {
  BatchLogRecordProcessor,
  ConsoleLogRecordExporter,
  SimpleLogRecordProcessor,
  type LogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { ConsoleMetricExporter, PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { BatchingOptions, OtlpExport, TelemetryOptions } from '../../types';
import { DeferredSpanProcessor } from './deferred-span-processor';
import { logExporter, metricExporter, traceExporter } from './otlp-exporters';
import { DEFAULT_RETRY_DELAYS, RetryingExporter, type Exporter } from './retrying-exporter';

/** What NodeSDK is given, per signal: empty for `none`, so that it builds nothing for that signal. */
export interface ExportPipelines {
  spanProcessors: SpanProcessor[];
  metricReaders: MetricReader[];
  logRecordProcessors: LogRecordProcessor[];
  /** Builds the OTLP exporter and batch span processor, once NodeSDK has made the meter provider they report themselves to. */
  attachSpanBatching(selfObsMeterProvider: MeterProvider): void;
  /** No more retries: on shutdown, flush what can go now instead of waiting out retry budgets. */
  stopRetrying(): void;
  /** Stops what was built, for when the SDK could not be made of it. */
  shutdown(): Promise<void>;
}

/**
 * The gRPC exporters give up at the first failure; the HTTP ones already retry (0.301.0: up to 5
 * retries with backoff within their timeout, honouring Retry-After), and wrapping them would retry
 * each of their retries. The whole sequence stays within the processor's export timeout minus a
 * margin for the processor's own bookkeeping.
 */
function withRetries<T, E extends Exporter<T>>(exporter: E, target: OtlpExport, batching: BatchingOptions): E | RetryingExporter<T> {
  if (target.protocol !== 'grpc') return exporter;
  return new RetryingExporter<T>(exporter, {
    ...DEFAULT_RETRY_DELAYS,
    budgetMillis: Math.max(target.timeoutMillis, batching.exportTimeoutMillis - 1000),
  });
}

/** Exporters and processors for each signal as OTEL_{TRACES,METRICS,LOGS}_EXPORTER and OTEL_EXPORTER_OTLP_* ask. */
export function exportPipelines(options: TelemetryOptions): ExportPipelines {
  const retrying: RetryingExporter<unknown>[] = [];
  const track = <E>(exporter: E): E => {
    if (exporter instanceof RetryingExporter) retrying.push(exporter);
    return exporter;
  };
  const { exporters, export: targets } = options;

  const deferred = exporters.traces.includes('otlp') ? new DeferredSpanProcessor() : undefined;
  let spanExporter: Exporter<unknown> | undefined;
  const spanProcessors: SpanProcessor[] = [
    ...(deferred ? [deferred] : []),
    ...(exporters.traces.includes('console') ? [new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() })] : []),
  ];

  const metricReaders = exporters.metrics.map(
    (name) =>
      new PeriodicExportingMetricReader({
        exporter: name === 'otlp' ? metricExporter(targets.metrics) : new ConsoleMetricExporter(),
        exportIntervalMillis: options.metricExport.intervalMillis,
        exportTimeoutMillis: options.metricExport.timeoutMillis,
      }),
  );

  const logRecordProcessors = exporters.logs.map((name) =>
    name === 'otlp'
      ? new BatchLogRecordProcessor({
          ...options.logBatching,
          exporter: track(withRetries(logExporter(targets.logs), targets.logs, options.logBatching)),
        })
      : new SimpleLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() }),
  );

  return {
    spanProcessors,
    metricReaders,
    logRecordProcessors,
    attachSpanBatching: (selfObsMeterProvider) => {
      if (!deferred) return;
      const exporter = track(withRetries(traceExporter(targets.traces, selfObsMeterProvider), targets.traces, options.spanBatching));
      spanExporter = exporter;
      deferred.attach(new BatchSpanProcessor({ ...options.spanBatching, exporter, selfObsMeterProvider }));
    },
    stopRetrying: () => retrying.forEach((exporter) => exporter.stopRetrying()),
    shutdown: async () => {
      await Promise.all([
        ...spanProcessors.map((p) => p.shutdown()),
        ...metricReaders.map((r) => r.shutdown()),
        ...logRecordProcessors.map((p) => p.shutdown()),
        spanExporter?.shutdown(),
      ]);
    },
  };
}
