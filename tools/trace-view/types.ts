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

/** One business transaction: the root trace and the traces linked to it (both directions). */
export interface Transaction {
  rootTraceId: string;
  /** The root trace first, then the linked traces by their first span's start. */
  traces: TransactionTrace[];
}
