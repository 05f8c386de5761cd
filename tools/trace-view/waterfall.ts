import type { LogLine, TraceSpan, Transaction, TransactionTrace } from './types';

/**
 * What both renderers draw: each trace's spans in tree order with depth, links resolved both ways,
 * and log lines placed under the span they were written in.
 */

export interface LinkEnd {
  traceId: string;
  spanId: string;
  /** The span at the other end, when it is in the view. */
  span?: TraceSpan;
  /** 1-based number of that span's trace in the view. */
  traceNumber?: number;
}

export interface WaterfallRow {
  span: TraceSpan;
  depth: number;
  /** The span names a parent that is not in its trace (e.g. the caller's span, not exported). */
  parentMissing: boolean;
  /** Links from this span. */
  linksTo: LinkEnd[];
  /** Spans in the view linking to this one. */
  linkedFrom: LinkEnd[];
  /** Log lines written in this span, by time. */
  logs: LogLine[];
}

export interface WaterfallTrace {
  traceId: string;
  /** 1-based; the root trace is 1. */
  number: number;
  isRoot: boolean;
  rows: WaterfallRow[];
  /** Services in order of first appearance in the rows. */
  services: string[];
  startMicros: number;
  endMicros: number;
  /** Log lines of this trace whose span is not in the view, or that name no span, by time. */
  logsOutsideSpans: LogLine[];
}

export interface Waterfall {
  rootTraceId: string;
  traces: WaterfallTrace[];
  /** The shared time axis: the earliest start and latest end over every trace. */
  startMicros: number;
  endMicros: number;
  /** Services in order of first appearance (root trace first): the order colours are given in. */
  services: string[];
  spanCount: number;
}

const key = (traceId: string, spanId: string) => `${traceId}/${spanId}`;
const byStart = (a: TraceSpan, b: TraceSpan) =>
  a.startMicros - b.startMicros || a.name.localeCompare(b.name) || a.spanId.localeCompare(b.spanId);

/** The root trace first, then the linked traces by their first span's start. */
function orderTraces(transaction: Transaction): TransactionTrace[] {
  const withSpans = transaction.traces.filter((trace) => trace.spans.length > 0);
  const root = withSpans.find((trace) => trace.traceId === transaction.rootTraceId) ?? withSpans[0];
  const first = (trace: TransactionTrace) => Math.min(...trace.spans.map((span) => span.startMicros));
  const rest = withSpans.filter((trace) => trace !== root).sort((a, b) => first(a) - first(b) || a.traceId.localeCompare(b.traceId));
  return root ? [root, ...rest] : [];
}

/** Depth-first over the parent chain, children by start time; spans on a parent cycle come last. */
function treeOrder(spans: TraceSpan[]): { span: TraceSpan; depth: number; parentMissing: boolean }[] {
  const ids = new Set(spans.map((span) => span.spanId));
  const children = new Map<string, TraceSpan[]>();
  const roots: TraceSpan[] = [];
  for (const span of spans) {
    if (span.parentSpanId && span.parentSpanId !== span.spanId && ids.has(span.parentSpanId)) {
      const list = children.get(span.parentSpanId) ?? [];
      list.push(span);
      children.set(span.parentSpanId, list);
    } else roots.push(span);
  }
  const out: { span: TraceSpan; depth: number; parentMissing: boolean }[] = [];
  const visited = new Set<TraceSpan>();
  const visit = (span: TraceSpan, depth: number) => {
    if (visited.has(span)) return;
    visited.add(span);
    out.push({ span, depth, parentMissing: depth === 0 && !!span.parentSpanId && !ids.has(span.parentSpanId) });
    for (const child of (children.get(span.spanId) ?? []).sort(byStart)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byStart)) visit(root, 0);
  for (const span of [...spans].sort(byStart)) visit(span, 0);
  return out;
}

export function buildWaterfall(transaction: Transaction): Waterfall {
  const ordered = orderTraces(transaction);
  const where = new Map<string, { span: TraceSpan; traceNumber: number }>();
  ordered.forEach((trace, index) => {
    for (const span of trace.spans)
      if (!where.has(key(trace.traceId, span.spanId))) where.set(key(trace.traceId, span.spanId), { span, traceNumber: index + 1 });
  });
  const linkedFrom = new Map<string, LinkEnd[]>();
  for (const [index, trace] of ordered.entries())
    for (const span of trace.spans)
      for (const link of span.links) {
        const target = key(link.traceId, link.spanId);
        if (!where.has(target)) continue;
        const list = linkedFrom.get(target) ?? [];
        if (!list.some((end) => end.span === span))
          list.push({ traceId: trace.traceId, spanId: span.spanId, span, traceNumber: index + 1 });
        linkedFrom.set(target, list);
      }
  // A line goes under its span when the span is in the view, else under its trace. (Lines of a
  // trace not in the view have no place: fetchTransaction reads only the view's traces.)
  const logsBySpan = new Map<string, LogLine[]>();
  const logsByTrace = new Map<string, LogLine[]>();
  for (const line of [...(transaction.logs?.lines ?? [])].sort((a, b) => a.timeMicros - b.timeMicros)) {
    const spanKey = line.spanId === undefined ? undefined : key(line.traceId, line.spanId);
    const [place, placeKey] = spanKey && where.has(spanKey) ? [logsBySpan, spanKey] : [logsByTrace, line.traceId];
    const list = place.get(placeKey) ?? [];
    list.push(line);
    place.set(placeKey, list);
  }

  const services: string[] = [];
  let startMicros = Infinity;
  let endMicros = -Infinity;
  let spanCount = 0;
  const traces = ordered.map((trace, index): WaterfallTrace => {
    const rows = treeOrder(trace.spans).map(({ span, depth, parentMissing }) => ({
      span,
      depth,
      parentMissing,
      linksTo: span.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId, ...where.get(key(link.traceId, link.spanId)) })),
      linkedFrom: linkedFrom.get(key(trace.traceId, span.spanId)) ?? [],
      logs: logsBySpan.get(key(trace.traceId, span.spanId)) ?? [],
    }));
    const traceServices = [...new Set(rows.map((row) => row.span.service))];
    for (const service of traceServices) if (!services.includes(service)) services.push(service);
    const start = Math.min(...trace.spans.map((span) => span.startMicros));
    const end = Math.max(...trace.spans.map((span) => span.startMicros + span.durationMicros));
    startMicros = Math.min(startMicros, start);
    endMicros = Math.max(endMicros, end);
    spanCount += rows.length;
    return {
      traceId: trace.traceId,
      number: index + 1,
      isRoot: index === 0,
      rows,
      services: traceServices,
      startMicros: start,
      endMicros: end,
      logsOutsideSpans: logsByTrace.get(trace.traceId) ?? [],
    };
  });
  if (!traces.length) startMicros = endMicros = 0;
  return { rootTraceId: transaction.rootTraceId, traces, startMicros, endMicros, services, spanCount };
}

/** A span's place on the shared axis, as fractions [0, 1] of the transaction's duration. */
export function axisPosition(waterfall: Waterfall, span: TraceSpan): { offset: number; length: number } {
  const total = Math.max(1, waterfall.endMicros - waterfall.startMicros);
  const offset = Math.min(1, Math.max(0, (span.startMicros - waterfall.startMicros) / total));
  return { offset, length: Math.min(1 - offset, Math.max(0, span.durationMicros / total)) };
}

/** Milliseconds for people: 0.42 ms, 14.1 ms, 1234 ms. */
export function formatMs(micros: number): string {
  const ms = micros / 1000;
  if (Math.abs(ms) < 10) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ms) < 1000) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

/** The first 8 significant hex digits (a 64-bit trace id padded to 32 digits starts with 16 zeros). */
export const shortId = (id: string) => (id.length === 32 && id.startsWith('0'.repeat(16)) ? id.slice(16) : id).slice(0, 8);
