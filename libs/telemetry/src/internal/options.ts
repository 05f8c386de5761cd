import { diag } from '@opentelemetry/api';
import { z } from 'zod';
import type { InstrumentationName, OtlpExport, OtlpProtocol, OtlpSignal, TelemetryOptions } from '../types';
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
const KNOWN: Record<InstrumentationName, true> = { http: true, kafkajs: true, pg: true, winston: true, 'nestjs-core': true };
const INSTRUMENTATIONS = Object.keys(KNOWN) as InstrumentationName[];

/**
 * On unless named otherwise. Nest's spans (a span per request around the handler, and one around
 * the controller method) repeat the HTTP server span, which already carries the route, and cost
 * CPU on every request: measured in docs/performance.md.
 */
export const DEFAULT_INSTRUMENTATIONS: readonly InstrumentationName[] = ['http', 'kafkajs', 'pg', 'winston'];

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

const envSchema = z.object({
  OTEL_SERVICE_NAME: z.string().min(1).default('unknown_service:node'),
  OTEL_SERVICE_NAMESPACE: z.string().min(1).default('tracehop'),
  OTEL_SERVICE_VERSION: z.string().min(1).optional(),
  DEPLOYMENT_ENVIRONMENT: z.string().min(1).default('development'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: z.url().optional(),
  // tracehop's default is grpc (the agent's OTLP gRPC port), where the specification's is http/protobuf.
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(OTLP_PROTOCOLS).default('grpc'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: z.enum(OTLP_PROTOCOLS).optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number().int().positive().default(10_000),
  OTEL_BSP_MAX_QUEUE_SIZE: z.coerce.number().int().positive().default(SPAN_BATCHING_DEFAULTS.maxQueueSize),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: z.coerce.number().int().positive().default(SPAN_BATCHING_DEFAULTS.maxExportBatchSize),
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().positive().default(SPAN_BATCHING_DEFAULTS.scheduledDelayMillis),
  OTEL_BSP_EXPORT_TIMEOUT: z.coerce.number().int().positive().default(SPAN_BATCHING_DEFAULTS.exportTimeoutMillis),
  TRACEHOP_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  TRACEHOP_KAFKA_MESSAGE_KEY: z.enum(['hash', 'drop', 'raw']).default('hash'),
  TRACEHOP_KAFKA_KEY_SALT: z.string().default(''),
  TRACEHOP_PG_CONNECT_SPANS: z.enum(['true', 'false']).default('false'),
  TRACEHOP_PG_METRICS: z.enum(['true', 'false']).default('false'),
});

/**
 * Options from the environment (and overrides). An invalid variable is reported and its default
 * used: a telemetry setting never stops a service from starting.
 */
export function telemetryOptions(env: NodeJS.ProcessEnv = process.env, overrides: Partial<TelemetryOptions> = {}): TelemetryOptions {
  const relevant = Object.fromEntries(Object.keys(envSchema.shape).map((k) => [k, env[k]]));
  let parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    const bad = new Set(parsed.error.issues.map((issue) => String(issue.path[0])));
    diag.warn(`tracehop telemetry: ignoring invalid ${[...bad].join(', ')}: ${z.prettifyError(parsed.error)}`);
    parsed = envSchema.safeParse(Object.fromEntries(Object.entries(relevant).filter(([k]) => !bad.has(k))));
  }
  const e = parsed.success ? parsed.data : envSchema.parse({});
  const otlpExport = (signal: OtlpSignal, protocol: OtlpProtocol | undefined, endpoint: string | undefined): OtlpExport => {
    const chosen = protocol ?? e.OTEL_EXPORTER_OTLP_PROTOCOL;
    return { protocol: chosen, endpoint: otlpEndpoint(chosen, signal, endpoint, e.OTEL_EXPORTER_OTLP_ENDPOINT) };
  };
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    serviceNamespace: e.OTEL_SERVICE_NAMESPACE,
    serviceVersion: e.OTEL_SERVICE_VERSION,
    deploymentEnvironment: e.DEPLOYMENT_ENVIRONMENT,
    export: {
      traces: otlpExport('traces', e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
      metrics: otlpExport('metrics', e.OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT),
      logs: otlpExport('logs', e.OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, e.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT),
    },
    disabled: e.OTEL_SDK_DISABLED === 'true',
    shutdownTimeoutMillis: e.TRACEHOP_SHUTDOWN_TIMEOUT_MS,
    metricExportIntervalMillis: e.OTEL_METRIC_EXPORT_INTERVAL,
    spanBatching: {
      maxQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: Math.min(e.OTEL_BSP_MAX_EXPORT_BATCH_SIZE, e.OTEL_BSP_MAX_QUEUE_SIZE),
      scheduledDelayMillis: e.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMillis: e.OTEL_BSP_EXPORT_TIMEOUT,
    },
    kafka: { hopMode: hopModeFromEnv(env), messageKey: e.TRACEHOP_KAFKA_MESSAGE_KEY, messageKeySalt: e.TRACEHOP_KAFKA_KEY_SALT },
    instrumentations: instrumentationsFromEnv(env),
    pgConnectSpans: e.TRACEHOP_PG_CONNECT_SPANS === 'true',
    pgMetrics: e.TRACEHOP_PG_METRICS === 'true',
    ...overrides,
  };
}
