import { createNoopMeter, diag, logs, metrics } from '@opentelemetry/api';
import { logs as legacyLogs, type LoggerProvider as LegacyLoggerProvider } from '@opentelemetry/api-logs';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HostMetricsInstrumentation } from '@opentelemetry/instrumentation-host-metrics';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { WinstonInstrumentation } from '@opentelemetry/instrumentation-winston';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK, startNodeSdk } from '@opentelemetry/sdk-node';
import { exportPipelines } from './internal/export/pipelines';
import { reportTelemetryProblemsQuietly } from './internal/export/problem-reporting';
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
    // Log correlation (trace ids in every line) stays; sending records is off when nothing would export them.
    winston: () => new WinstonInstrumentation({ disableLogSending: options.exporters.logs.length === 0 }),
    // Nest 11: instrumentation-nestjs-core 0.71 supports @nestjs/core >=4 <12 (docs/telemetry.md).
    'nestjs-core': () => new NestInstrumentation(),
    // The process' CPU time and memory, read when metrics are collected, so what telemetry costs a
    // service shows next to it (Telemetry cost dashboard); the host-wide groups stay off.
    'host-metrics': () => new HostMetricsInstrumentation({ metricGroups: ['process.cpu', 'process.memory'] }),
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
 * NodeSDK's constructor replaces the diag logger with a plain console one when OTEL_LOG_LEVEL is
 * set, which would undo tracehop's (the same level, plus the rate limit): it does not see the variable.
 */
function withoutLogLevelVariable<T>(construct: () => T): T {
  const logLevel = process.env.OTEL_LOG_LEVEL;
  delete process.env.OTEL_LOG_LEVEL;
  try {
    return construct();
  } finally {
    if (logLevel !== undefined) process.env.OTEL_LOG_LEVEL = logLevel;
  }
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

interface StartedSdk {
  /** Flushes and stops, unbounded (startTelemetry bounds it). */
  shutdown(): Promise<void>;
}

/** The SDK as the OTEL_* variables say, with tracehop's pipelines (retries, batch sizing, self-metrics). */
function startFromEnvironment(options: TelemetryOptions, instrumentations: Instrumentation[]): StartedSdk {
  const pipelines = exportPipelines(options);
  try {
    const sdk = withoutLogLevelVariable(
      () =>
        new NodeSDK({
          // NodeSDK merges OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME over these, and the host and process detectors.
          resource: resourceFromAttributes({ 'service.name': options.serviceName, ...options.resourceAttributes }),
          sampler: samplerFromEnv(),
          spanProcessors: pipelines.spanProcessors,
          metricReaders: pipelines.metricReaders,
          logRecordProcessors: pipelines.logRecordProcessors,
          instrumentations,
        }),
    );
    sdk.start();
    // Built now, so that it reports its queue and its dropped spans to the meter provider start() made.
    pipelines.attachSpanBatching(metrics.getMeterProvider());
    return {
      shutdown: () => {
        // Flush what can go now; do not wait out retry budgets meant for a collector that restarts.
        pipelines.stopRetrying();
        return sdk.shutdown();
      },
    };
  } catch (error) {
    void pipelines.shutdown().catch(() => undefined);
    throw error;
  }
}

/**
 * The SDK as the OTEL_CONFIG_FILE file says (sdk-node's declarative configuration: every other
 * OTEL_* SDK variable is ignored, as the specification asks), with tracehop's instrumentations. The
 * file's exporters, processors and samplers replace tracehop's: no retry for gRPC, only the file
 * format's samplers, no batch-processor self-metrics (README, "Configuration file").
 */
function startFromConfigFile(instrumentations: Instrumentation[]): StartedSdk {
  const sdk = startNodeSdk({ instrumentations });
  // startNodeSdk registers the instrumentations before it makes the meter provider, and the metrics
  // API has no proxy provider: they would keep the no-op one.
  for (const instrumentation of instrumentations) instrumentation.setMeterProvider(metrics.getMeterProvider());
  return sdk;
}

/**
 * Starts traces, metrics and logs as the OTEL_* variables say (OTLP, gRPC by default, to the local
 * agent; OTEL_{TRACES,METRICS,LOGS}_EXPORTER=console|none), or as the OTEL_CONFIG_FILE file says,
 * with the instrumentations options.instrumentations names (http, kafkajs (tracehop's), pg, winston
 * by default). Call it before Nest, kafkajs, pg and winston are loaded
 * (`node --require @tracehop/telemetry/register`). Idempotent. If the SDK cannot start, the service
 * runs uninstrumented and says so once.
 */
export function startTelemetry(overrides: Partial<TelemetryOptions> = {}): Telemetry {
  if (current) return current;
  // First, so that what parsing the environment warns about is said.
  reportTelemetryProblemsQuietly();
  const options = telemetryOptions(process.env, overrides);
  const configFile = process.env.OTEL_CONFIG_FILE?.trim();
  // With a configuration file, the file's `disabled` decides, not OTEL_SDK_DISABLED.
  if (options.disabled && !configFile) return (current = { options, shutdown: async () => undefined });
  try {
    const instrumentations = instrumentationsFor(options);
    const sdk = configFile ? startFromConfigFile(instrumentations) : startFromEnvironment(options, instrumentations);
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
    const shutdown = () => (stopping ??= bounded(sdk.shutdown(), options.shutdownTimeoutMillis));
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
