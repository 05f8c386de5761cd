import type { Span } from '@opentelemetry/api';
import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { KafkaMessage, Message } from 'kafkajs';

/**
 * How a consumer's process span relates to the producer's send span:
 * - `child`: same trace, the send span is the parent — one business transaction, one trace.
 * - `link`: a new trace whose process span links to the send span (the semantic-convention default).
 * - `child+link`: same trace as `child`, plus an explicit link, for tools that only follow links.
 */
export type HopMode = 'child' | 'link' | 'child+link';

/**
 * How a Kafka message key appears on spans. Keys are often user or card identifiers: `hash` (the
 * default) keeps them correlatable without exposing them, `drop` leaves them out, `raw` is for keys
 * known to be harmless.
 */
export type MessageKeyMode = 'hash' | 'drop' | 'raw';

export interface TracehopKafkaJsConfig extends InstrumentationConfig {
  /** How process spans relate to send spans; default TRACEHOP_KAFKA_HOP_MODE or `child`. */
  hopMode?: HopMode;
  /** Per consumer group, overriding hopMode (TRACEHOP_KAFKA_HOP_MODES="group-a=link,group-b=child"). */
  hopModeByGroup?: Record<string, HopMode>;
  /** How message keys appear on spans; default `hash`. */
  messageKey?: MessageKeyMode;
  /** Salt for hashed keys; default TRACEHOP_KAFKA_KEY_SALT, else a random salt per process (warned once). */
  messageKeySalt?: string;
  /**
   * Called with each `send` span and the message as it will be sent (trace headers included), to add
   * attributes; as in @opentelemetry/instrumentation-kafkajs. A throw is logged (diag) and ignored.
   */
  producerHook?: (span: Span, info: { topic: string; message: Message }) => void;
  /**
   * Called with each `process` span and the consumed record, before the handler runs; as in
   * @opentelemetry/instrumentation-kafkajs. A throw is logged (diag) and ignored.
   */
  consumerHook?: (span: Span, info: { topic: string; message: KafkaMessage }) => void;
}

/** Batch processor settings: OTEL_BSP_* for spans, OTEL_BLRP_* for log records. */
export interface BatchingOptions {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

/** Everything `startTelemetry` uses, typed; each field read from the environment unless overridden. */
export interface TelemetryOptions {
  /** OTEL_SERVICE_NAME; it and OTEL_RESOURCE_ATTRIBUTES win over this when set. */
  serviceName: string;
  /**
   * Resource attributes tracehop sets below OTEL_RESOURCE_ATTRIBUTES (which wins): `service.namespace`
   * `tracehop` and `deployment.environment.name` `development` unless given.
   */
  resourceAttributes: Record<string, string>;
  /** Where and how each signal is exported (OTEL_EXPORTER_OTLP_*: endpoint, protocol, timeout, per signal or common). */
  export: Record<OtlpSignal, OtlpExport>;
  /** Which exporters each signal uses (OTEL_{TRACES,METRICS,LOGS}_EXPORTER); empty for `none`: no exporter, no processor. */
  exporters: Record<OtlpSignal, ExporterName[]>;
  /** OTEL_SDK_DISABLED. */
  disabled: boolean;
  /** Upper bound for flushing on shutdown: a stuck exporter never holds a SIGTERM hostage. */
  shutdownTimeoutMillis: number;
  /** The periodic metric reader (OTEL_METRIC_EXPORT_INTERVAL, OTEL_METRIC_EXPORT_TIMEOUT). */
  metricExport: { intervalMillis: number; timeoutMillis: number };
  /** Batch span processor sizing (OTEL_BSP_*); defaults measured in bench/telemetry-load.ts. */
  spanBatching: BatchingOptions;
  /** Batch log record processor sizing (OTEL_BLRP_*; the specification's defaults). */
  logBatching: BatchingOptions;
  /** The kafkajs instrumentation's options (TRACEHOP_KAFKA_*); hooks only in code. */
  kafka: { hopMode: HopMode; messageKey: MessageKeyMode; messageKeySalt: string } & Pick<
    TracehopKafkaJsConfig,
    'producerHook' | 'consumerHook'
  >;
  /** Which instrumentations run (OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS). */
  instrumentations: InstrumentationName[];
  /** pg.connect and pg-pool.connect spans (TRACEHOP_PG_CONNECT_SPANS); query spans are always made. */
  pgConnectSpans: boolean;
  /** instrumentation-pg's db.client.* metrics (TRACEHOP_PG_METRICS). */
  pgMetrics: boolean;
}

/**
 * The instrumentations tracehop can run, by the names auto-instrumentations-node gives them.
 * `nestjs-core` is off unless enabled: docs/telemetry.md, "What is traced by default".
 */
export type InstrumentationName = 'http' | 'kafkajs' | 'pg' | 'winston' | 'nestjs-core' | 'host-metrics';

export interface Telemetry {
  options: TelemetryOptions;
  /** Flushes and stops, within options.shutdownTimeoutMillis; safe to call more than once. */
  shutdown(): Promise<void>;
}

/**
 * kafkajs header shapes: producers pass strings or Buffers; consumers receive Buffers, and an array
 * of Buffers when a header key occurs more than once in the record.
 */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

/** A record as a consumer saw it: what `republish` needs to send it on with its origin. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export type OtlpSignal = 'traces' | 'metrics' | 'logs';
export type OtlpProtocol = 'grpc' | 'http/protobuf' | 'http/json';
export interface OtlpExport {
  protocol: OtlpProtocol;
  /** The full URL: for HTTP including /v1/<signal>. */
  endpoint: string;
  /** How long one export request may take (OTEL_EXPORTER_OTLP_[SIGNAL_]TIMEOUT, default 10 s). */
  timeoutMillis: number;
}
/** The exporters tracehop builds for OTEL_{TRACES,METRICS,LOGS}_EXPORTER (`none` is an empty list). */
export type ExporterName = 'otlp' | 'console';
