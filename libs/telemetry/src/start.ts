import { createNoopMeter, diag, logs, metrics } from '@opentelemetry/api';
import { logs as legacyLogs, type LoggerProvider as LegacyLoggerProvider } from '@opentelemetry/api-logs';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { DeferredSpanProcessor } from './internal/export/deferred-span-processor';
import { logExporter, metricExporter, traceExporter } from './internal/export/otlp-exporters';
import { reportTelemetryProblemsQuietly } from './internal/export/problem-reporting';
import { DEFAULT_RETRY, RetryingExporter } from './internal/export/retrying-exporter';
import { telemetryOptions } from './internal/options';
import { samplerFromEnv } from './internal/sampler-from-env';
import { TracehopKafkaJsInstrumentation } from './kafka/kafkajs-instrumentation';
import type { InstrumentationName, Telemetry, TelemetryOptions } from './types';

let current: Telemetry | undefined;

function instrumentationsFor(options: TelemetryOptions): Instrumentation[] {
  const create: Record<InstrumentationName, () => Instrumentation> = {
    http: () => new HttpInstrumentation(),
    kafkajs: () => new TracehopKafkaJsInstrumentation(options.kafka),
    // Connect spans wait for a pooled connection that is almost always free; queries are what a reader needs.
    pg: () => new PgInstrumentation({ ignoreConnectSpans: !options.pgConnectSpans }),
    winston: () => new WinstonInstrumentation(),
    // Nest 11: instrumentation-nestjs-core 0.71 supports @nestjs/core >=4 <12 (docs/telemetry.md).
    'nestjs-core': () => new NestInstrumentation(),
  };
  return options.instrumentations.map((name) => create[name]());
}

function bounded(work: Promise<void>, millis: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(() => {
      diag.warn(`tracehop telemetry: shutdown did not finish within ${millis} ms; giving up on unsent data`);
      done();
    }, millis);
    timer.unref();
  });
  return Promise.race([work.catch((error) => diag.warn('tracehop telemetry: shutdown failed', error)), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/**
 * On SIGTERM, telemetry shuts down last. When the application handles SIGTERM too (Nest's shutdown
 * hooks), it owns the exit: we wait for it to close (its in-flight work still makes spans and logs)
 * and flush when it re-raises the signal, as Nest does once its hooks have run, or when it calls
 * shutdownTelemetry(). When nobody else handles SIGTERM, we flush and then re-raise it ourselves.
 */
function flushOnSigterm(shutdown: () => Promise<void>): void {
  const onSigterm = () => {
    if (process.listenerCount('SIGTERM') > 0) {
      process.once('SIGTERM', onSigterm);
      return;
    }
    void shutdown().finally(() => process.kill(process.pid, 'SIGTERM'));
  };
  process.once('SIGTERM', onSigterm);
}

/**
 * Starts traces (OTLP through RetryingExporter), metrics and logs (OTLP: gRPC unless
 * OTEL_EXPORTER_OTLP_*PROTOCOL says otherwise) with the
 * instrumentations options.instrumentations names (http, kafkajs (tracehop's), pg, winston by default). Call it before Nest, kafkajs, pg and
 * winston are loaded (`node --require @tracehop/telemetry/register`). Idempotent. If the SDK cannot
 * start, the service runs uninstrumented and says so once.
 */
export function startTelemetry(overrides: Partial<TelemetryOptions> = {}): Telemetry {
  if (current) return current;
  // First, so that what parsing the environment warns about is said.
  reportTelemetryProblemsQuietly();
  const options = telemetryOptions(process.env, overrides);
  if (options.disabled) return (current = { options, shutdown: async () => undefined });
  try {
    const spanExporter = new RetryingExporter(traceExporter(options.export.traces), {
      ...DEFAULT_RETRY,
      // Retries end before the processor's export timeout, so it never gives up on a batch still retrying.
      maxRetryMillis: Math.max(1000, options.spanBatching.exportTimeoutMillis - 5000),
    });
    const logRecordExporter = new RetryingExporter(logExporter(options.export.logs));
    const instrumentations = instrumentationsFor(options);
    const spanProcessor = new DeferredSpanProcessor();
    const sdk = new NodeSDK({
      resource: resourceFromAttributes({
        'service.name': options.serviceName,
        'service.namespace': options.serviceNamespace,
        'deployment.environment.name': options.deploymentEnvironment,
        ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
      }),
      sampler: samplerFromEnv(),
      spanProcessors: [spanProcessor],
      metricReaders: [
        new PeriodicExportingMetricReader({
          exporter: metricExporter(options.export.metrics),
          exportIntervalMillis: options.metricExportIntervalMillis,
        }),
      ],
      logRecordProcessors: [new BatchLogRecordProcessor({ exporter: logRecordExporter })],
      instrumentations,
    });
    sdk.start();
    // Built now, so that it reports its queue and its dropped spans to the meter provider start() made.
    spanProcessor.attach(
      new BatchSpanProcessor({ ...options.spanBatching, exporter: spanExporter, selfObsMeterProvider: metrics.getMeterProvider() }),
    );
    if (!options.pgMetrics) {
      // A View dropping them would still hash attributes on every update (seven per query, most of
      // them pool bookkeeping); a no-op meter costs nothing. Query durations stay on the spans.
      const noopMeters = { getMeter: () => createNoopMeter() };
      for (const instrumentation of instrumentations)
        if (instrumentation instanceof PgInstrumentation) instrumentation.setMeterProvider(noopMeters);
    }
    // The logs API now lives in @opentelemetry/api, where the SDK registers its provider; winston's
    // OpenTelemetry transport (0.34) still emits through the separate @opentelemetry/api-logs global,
    // which would otherwise stay a no-op and drop every log record. Point it at the same provider.
    legacyLogs.setGlobalLoggerProvider(logs.getLoggerProvider() as unknown as LegacyLoggerProvider);
    let stopping: Promise<void> | undefined;
    const shutdown = () => {
      // Flush what can go now; do not wait out retry budgets meant for a collector that restarts.
      spanExporter.stopRetrying();
      logRecordExporter.stopRetrying();
      return (stopping ??= bounded(sdk.shutdown(), options.shutdownTimeoutMillis));
    };
    flushOnSigterm(shutdown);
    return (current = { options, shutdown });
  } catch (error) {
    diag.error('tracehop telemetry: not started; the service runs uninstrumented', error);
    return (current = { options, shutdown: async () => undefined });
  }
}

/** Flushes and stops telemetry if it was started (a no-op otherwise): for an application's own shutdown hook. */
export function shutdownTelemetry(): Promise<void> {
  return current ? current.shutdown() : Promise.resolve();
}
