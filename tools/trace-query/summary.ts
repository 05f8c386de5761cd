import type { TransactionTrace } from '../trace-view/types';

/** One row of a search's answer: what a reader scans before opening a trace. */
export interface TraceSummary {
  traceId: string;
  /** The span without a parent in the trace (the earliest, if several). */
  root: { service: string; name: string };
  services: string[];
  spans: number;
  /** Microseconds since the epoch. */
  startMicros: number;
  /** From the first span's start to the last span's end. */
  durationMicros: number;
  /** Spans with status ERROR. */
  errors: number;
}

export function summarize(trace: TransactionTrace): TraceSummary {
  const ids = new Set(trace.spans.map((span) => span.spanId));
  const byStart = [...trace.spans].sort((a, b) => a.startMicros - b.startMicros);
  const root = byStart.find((span) => span.parentSpanId === undefined || !ids.has(span.parentSpanId)) ?? byStart[0];
  const startMicros = byStart[0].startMicros;
  const endMicros = Math.max(...trace.spans.map((span) => span.startMicros + span.durationMicros));
  return {
    traceId: trace.traceId,
    root: { service: root.service, name: root.name },
    services: [...new Set(byStart.map((span) => span.service))],
    spans: trace.spans.length,
    startMicros,
    durationMicros: endMicros - startMicros,
    errors: trace.spans.filter((span) => span.error).length,
  };
}
