/** The trace view's model: what fetchTransaction returns and the renderers draw. */

export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export interface TraceSpan {
  traceId: string;
  spanId: string;
  /** The parent span (CHILD_OF), which may be missing from the trace (e.g. the caller's own span). */
  parentSpanId?: string;
  service: string;
  name: string;
  kind: SpanKind;
  /** Microseconds since the epoch. */
  startMicros: number;
  durationMicros: number;
  /** Span status ERROR (or Jaeger's `error` tag). */
  error: boolean;
  /** The status description, else the recorded exception's message, else `error.type`. */
  errorMessage?: string;
  attributes: Record<string, string | number | boolean>;
  /** Span links (Jaeger FOLLOWS_FROM references), in this trace or others. */
  links: { traceId: string; spanId: string }[];
}

export interface TransactionTrace {
  traceId: string;
  spans: TraceSpan[];
}

/** Severity for styling, from OpenTelemetry's severity number ranges (1-4 trace … 21-24 fatal). */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** One log record of a trace, as VictoriaLogs stores it. */
export interface LogLine {
  traceId: string;
  /** The span the record was written in; absent when it was logged outside any span. */
  spanId?: string;
  /** Microseconds since the epoch. */
  timeMicros: number;
  service: string;
  /** As the service named it (`severity_text`: info, warn, http, …). */
  severity: string;
  level: LogLevel;
  message: string;
  /** The record's own attributes (order_id, exception.message, …); resource attributes are left out. */
  fields: Record<string, string>;
}

/** The log lines of every trace of a transaction, or why there are none. */
export interface TransactionLogs {
  /** The LogsQL query that read them (to read on by hand, in VictoriaLogs' UI). */
  query: string;
  /** By time; at most `limit`. */
  lines: LogLine[];
  limit: number;
  /** The transaction has more lines than `limit`: `lines` holds the earliest. */
  limitReached: boolean;
  /** Set when the log store could not be read (unreachable, an error answer): `lines` is then empty. */
  error?: string;
}

/** One business transaction: the root trace and the traces linked to it (both directions). */
export interface Transaction {
  rootTraceId: string;
  /** The root trace first, then the linked traces by their first span's start. */
  traces: TransactionTrace[];
  /** The traces' log lines, when they were asked for (fetchTransaction's `logs` option). */
  logs?: TransactionLogs;
}
