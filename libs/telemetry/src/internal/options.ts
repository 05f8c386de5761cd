import { diag, DiagLogLevel } from '@opentelemetry/api';
import { z } from 'zod';
import type { ExporterName, InstrumentationName, OtlpExport, OtlpProtocol, OtlpSignal, TelemetryOptions } from '../types';
import { OTLP_PROTOCOLS, otlpEndpoint } from './export/otlp-endpoint';
import { hopModeFromEnv } from './kafka/hop-mode';

/**
 * Batch span processor defaults. The SDK's (queue 2048, batch 512, every 5 s) kept up with 1000
 * spans/s here because it also exports whenever a full batch is queued; they drop spans once export
 * falls behind (a slow or restarting collector, several spans per request). A four times deeper queue
 * and a one-second cadence give that headroom for a few megabytes: docs/telemetry.md has the figures
 * (bench/telemetry-load.ts).
 */
export const SPAN_BATCHING_DEFAULTS = {
  maxQueueSize: 8192,
  maxExportBatchSize: 2048,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 30_000,
};

// A record over the union: the compiler rejects an instrumentation missing here.
const KNOWN: Record<InstrumentationName, true> = {
  http: true,
  kafkajs: true,
  pg: true,
  winston: true,
  'nestjs-core': true,
  'host-metrics': true,
};
const INSTRUMENTATIONS = Object.keys(KNOWN) as InstrumentationName[];

/**
 * On unless named otherwise. Nest's spans (a span per request around the handler, and one around
 * the controller method) repeat the HTTP server span, which already carries the route, and cost
 * CPU on every request: measured in docs/performance.md.
 */
export const DEFAULT_INSTRUMENTATIONS: readonly InstrumentationName[] = ['http', 'kafkajs', 'pg', 'winston', 'host-metrics'];

/**
 * OTEL_NODE_ENABLED_INSTRUMENTATIONS (only these) and OTEL_NODE_DISABLED_INSTRUMENTATIONS (the
 * defaults, or the enabled ones, but these; wins over enabled), comma-separated names as in
 * auto-instrumentations-node, except that DISABLED alone removes from tracehop's defaults, where
 * nestjs-core is off. Unknown names warn.
 */
function instrumentationsFromEnv(env: NodeJS.ProcessEnv): InstrumentationName[] {
  const names = (variable: string) => {
    const listed = (env[variable] ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = listed.filter((name) => !(INSTRUMENTATIONS as readonly string[]).includes(name));
    if (unknown.length)
      diag.warn(
        `tracehop telemetry: ${variable} names unknown instrumentations ${unknown.join(', ')}; known: ${INSTRUMENTATIONS.join(', ')}`,
      );
    return listed.filter((name): name is InstrumentationName => !unknown.includes(name));
  };
  const enabled = env.OTEL_NODE_ENABLED_INSTRUMENTATIONS?.trim() ? names('OTEL_NODE_ENABLED_INSTRUMENTATIONS') : DEFAULT_INSTRUMENTATIONS;
  const disabled = names('OTEL_NODE_DISABLED_INSTRUMENTATIONS');
  return enabled.filter((name) => !disabled.includes(name));
}

/** The specification's enums are case-insensitive. */
const lowerCaseEnum = <const T extends readonly [string, ...string[]]>(values: T) => z.string().toLowerCase().pipe(z.enum(values));
/** The specification's boolean: "true" in any case; "false" or unset is false; anything else is reported and false. */
const specBoolean = lowerCaseEnum(['true', 'false']).default('false');
const positiveInteger = z.coerce.number().int().positive();

/** OTEL_LOG_LEVEL's values (the specification's, plus the JS SDK's `verbose` and `all`); default `info`. */
const LOG_LEVELS = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
} as const satisfies Record<string, DiagLogLevel>;
type LogLevelName = keyof typeof LOG_LEVELS;

/** The SDK's own log level, from OTEL_LOG_LEVEL (an invalid value is reported by telemetryOptions). */
export function diagLogLevelFromEnv(env: NodeJS.ProcessEnv = process.env): DiagLogLevel {
  const name = env.OTEL_LOG_LEVEL?.trim().toLowerCase() ?? '';
  return name in LOG_LEVELS ? LOG_LEVELS[name as LogLevelName] : DiagLogLevel.INFO;
}

/** Resource attributes that used to have variables of their own: read for one more release, with a warning. */
const DEPRECATED_RESOURCE_VARIABLES = {
  OTEL_SERVICE_NAMESPACE: 'service.namespace',
  OTEL_SERVICE_VERSION: 'service.version',
  DEPLOYMENT_ENVIRONMENT: 'deployment.environment.name',
} as const;

/** The specification's defaults for OTEL_BLRP_*. */
const LOG_BATCHING_DEFAULTS = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000, exportTimeoutMillis: 30_000 };
/** tracehop exports metrics every 10 s (the specification: 60 s) so that dashboards follow a test run. */
const METRIC_EXPORT_INTERVAL_DEFAULT = 10_000;
const METRIC_EXPORT_TIMEOUT_DEFAULT = 30_000;
const OTLP_TIMEOUT_DEFAULT = 10_000;

const EXPORTERS: readonly ExporterName[] = ['otlp', 'console'];
const SIGNAL_EXPORTER_VARIABLES = { traces: 'OTEL_TRACES_EXPORTER', metrics: 'OTEL_METRICS_EXPORTER', logs: 'OTEL_LOGS_EXPORTER' } as const;

/**
 * OTEL_{TRACES,METRICS,LOGS}_EXPORTER: a comma-separated, case-insensitive list, default `otlp`;
 * `none` means no exporter at all. Exporters tracehop does not build (zipkin, prometheus: the
 * collector exposes Prometheus; logging, deprecated) are reported and ignored, and a list left empty
 * by that falls back to the default, as the specification asks of an unrecognised value.
 */
function exportersFromEnv(variable: string, value: string | undefined): ExporterName[] {
  const listed = [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (listed.includes('none')) {
    if (listed.length > 1) diag.warn(`tracehop telemetry: ${variable}=${value} lists none with other exporters; none wins`);
    return [];
  }
  const unknown = listed.filter((name) => !(EXPORTERS as readonly string[]).includes(name));
  if (unknown.length)
    diag.warn(
      `tracehop telemetry: ${variable} names exporters tracehop does not build: ${unknown.join(', ')}; it builds ${EXPORTERS.join(', ')}, none`,
    );
  const known = listed.filter((name): name is ExporterName => !unknown.includes(name));
  return known.length ? known : ['otlp'];
}

const envSchema = z.object({
  OTEL_SERVICE_NAME: z.string().min(1).default('unknown_service:node'),
  OTEL_SERVICE_NAMESPACE: z.string().optional(),
  OTEL_SERVICE_VERSION: z.string().optional(),
  DEPLOYMENT_ENVIRONMENT: z.string().optional(),
  OTEL_LOG_LEVEL: lowerCaseEnum(Object.keys(LOG_LEVELS) as [LogLevelName, ...LogLevelName[]]).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: z.url().optional(),
  // tracehop's default is grpc (the agent's OTLP gRPC port), where the specification's is http/protobuf.
  OTEL_EXPORTER_OTLP_PROTOCOL: lowerCaseEnum(OTLP_PROTOCOLS).default('grpc'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: lowerCaseEnum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: lowerCaseEnum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: lowerCaseEnum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_TIMEOUT: positiveInteger.default(OTLP_TIMEOUT_DEFAULT),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: positiveInteger.optional(),
  OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: positiveInteger.optional(),
  OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: positiveInteger.optional(),
  OTEL_SDK_DISABLED: specBoolean,
  OTEL_METRIC_EXPORT_INTERVAL: positiveInteger.default(METRIC_EXPORT_INTERVAL_DEFAULT),
  OTEL_METRIC_EXPORT_TIMEOUT: positiveInteger.optional(),
  OTEL_BSP_MAX_QUEUE_SIZE: positiveInteger.default(SPAN_BATCHING_DEFAULTS.maxQueueSize),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: positiveInteger.default(SPAN_BATCHING_DEFAULTS.maxExportBatchSize),
  OTEL_BSP_SCHEDULE_DELAY: positiveInteger.default(SPAN_BATCHING_DEFAULTS.scheduledDelayMillis),
  OTEL_BSP_EXPORT_TIMEOUT: positiveInteger.default(SPAN_BATCHING_DEFAULTS.exportTimeoutMillis),
  OTEL_BLRP_MAX_QUEUE_SIZE: positiveInteger.default(LOG_BATCHING_DEFAULTS.maxQueueSize),
  OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: positiveInteger.default(LOG_BATCHING_DEFAULTS.maxExportBatchSize),
  OTEL_BLRP_SCHEDULE_DELAY: positiveInteger.default(LOG_BATCHING_DEFAULTS.scheduledDelayMillis),
  OTEL_BLRP_EXPORT_TIMEOUT: positiveInteger.default(LOG_BATCHING_DEFAULTS.exportTimeoutMillis),
  TRACEHOP_SHUTDOWN_TIMEOUT_MS: positiveInteger.default(5_000),
  TRACEHOP_KAFKA_MESSAGE_KEY: lowerCaseEnum(['hash', 'drop', 'raw']).default('hash'),
  TRACEHOP_KAFKA_KEY_SALT: z.string().default(''),
  TRACEHOP_PG_CONNECT_SPANS: specBoolean,
  TRACEHOP_PG_METRICS: specBoolean,
});
type Env = z.infer<typeof envSchema>;

/** A batch is never larger than the queue (the specification: max export batch size ≤ max queue size). */
const batching = (maxQueueSize: number, maxExportBatchSize: number, scheduledDelayMillis: number, exportTimeoutMillis: number) => ({
  maxQueueSize,
  maxExportBatchSize: Math.min(maxExportBatchSize, maxQueueSize),
  scheduledDelayMillis,
  exportTimeoutMillis,
});

/** The periodic reader refuses a timeout longer than its interval: clamp it, saying so when both were chosen. */
function metricExport(e: Env) {
  const timeoutMillis = e.OTEL_METRIC_EXPORT_TIMEOUT ?? METRIC_EXPORT_TIMEOUT_DEFAULT;
  if (e.OTEL_METRIC_EXPORT_TIMEOUT !== undefined && timeoutMillis > e.OTEL_METRIC_EXPORT_INTERVAL)
    diag.warn(
      `tracehop telemetry: OTEL_METRIC_EXPORT_TIMEOUT (${timeoutMillis}) exceeds OTEL_METRIC_EXPORT_INTERVAL (${e.OTEL_METRIC_EXPORT_INTERVAL}); using the interval`,
    );
  return { intervalMillis: e.OTEL_METRIC_EXPORT_INTERVAL, timeoutMillis: Math.min(timeoutMillis, e.OTEL_METRIC_EXPORT_INTERVAL) };
}

/** tracehop's resource defaults, below OTEL_RESOURCE_ATTRIBUTES; the deprecated variables still fill them in. */
function resourceAttributes(e: Env): Record<string, string> {
  const attributes: Record<string, string> = { 'service.namespace': 'tracehop', 'deployment.environment.name': 'development' };
  for (const [variable, attribute] of Object.entries(DEPRECATED_RESOURCE_VARIABLES)) {
    const value = e[variable as keyof typeof DEPRECATED_RESOURCE_VARIABLES];
    if (value === undefined) continue;
    diag.warn(
      `tracehop telemetry: ${variable} is deprecated and goes in the next release; set OTEL_RESOURCE_ATTRIBUTES=${attribute}=… instead`,
    );
    attributes[attribute] = value;
  }
  return attributes;
}

/**
 * Options from the environment (and overrides). An empty variable counts as unset; an invalid one
 * is reported and its default used: a telemetry setting never stops a service from starting.
 */
export function telemetryOptions(env: NodeJS.ProcessEnv = process.env, overrides: Partial<TelemetryOptions> = {}): TelemetryOptions {
  const relevant = Object.fromEntries(
    Object.keys(envSchema.shape)
      .map((k) => [k, env[k]?.trim()])
      .filter(([, value]) => value),
  );
  let parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const bad = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    diag.warn(`tracehop telemetry: ignoring invalid ${[...bad].join(', ')}: ${z.prettifyError(parsed.error)}`);
    parsed = envSchema.safeParse(Object.fromEntries(Object.entries(relevant).filter(([k]) => !bad.has(k))));
  }
  const e = parsed.success ? parsed.data : envSchema.parse({});
  const otlpExport = (
    signal: OtlpSignal,
    protocol: OtlpProtocol | undefined,
    endpoint: string | undefined,
    timeout: number | undefined,
  ): OtlpExport => {
    const chosen = protocol ?? e.OTEL_EXPORTER_OTLP_PROTOCOL;
    return {
      protocol: chosen,
      endpoint: otlpEndpoint(chosen, signal, endpoint, e.OTEL_EXPORTER_OTLP_ENDPOINT),
      timeoutMillis: timeout ?? e.OTEL_EXPORTER_OTLP_TIMEOUT,
    };
  };
  const signals: OtlpSignal[] = ['traces', 'metrics', 'logs'];
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    resourceAttributes: resourceAttributes(e),
    export: {
      traces: otlpExport(
        'traces',
        e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL,
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
        e.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT,
      ),
      metrics: otlpExport(
        'metrics',
        e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL,
        e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT,
        e.OTEL_EXPORTER_OTLP_METRICS_TIMEOUT,
      ),
      logs: otlpExport('logs', e.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, e.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, e.OTEL_EXPORTER_OTLP_LOGS_TIMEOUT),
    },
    exporters: Object.fromEntries(
      signals.map((signal) => [signal, exportersFromEnv(SIGNAL_EXPORTER_VARIABLES[signal], env[SIGNAL_EXPORTER_VARIABLES[signal]])]),
    ) as Record<OtlpSignal, ExporterName[]>,
    disabled: e.OTEL_SDK_DISABLED === 'true',
    shutdownTimeoutMillis: e.TRACEHOP_SHUTDOWN_TIMEOUT_MS,
    metricExport: metricExport(e),
    spanBatching: batching(
      e.OTEL_BSP_MAX_QUEUE_SIZE,
      e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
      e.OTEL_BSP_SCHEDULE_DELAY,
      e.OTEL_BSP_EXPORT_TIMEOUT,
    ),
    logBatching: batching(
      e.OTEL_BLRP_MAX_QUEUE_SIZE,
      e.OTEL_BLRP_MAX_EXPORT_BATCH_SIZE,
      e.OTEL_BLRP_SCHEDULE_DELAY,
      e.OTEL_BLRP_EXPORT_TIMEOUT,
    ),
    kafka: { hopMode: hopModeFromEnv(env), messageKey: e.TRACEHOP_KAFKA_MESSAGE_KEY, messageKeySalt: e.TRACEHOP_KAFKA_KEY_SALT },
    instrumentations: instrumentationsFromEnv(env),
    pgConnectSpans: e.TRACEHOP_PG_CONNECT_SPANS === 'true',
    pgMetrics: e.TRACEHOP_PG_METRICS === 'true',
    ...overrides,
  };
}
