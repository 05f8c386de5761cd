import { ATTR_MESSAGING_BATCH_MESSAGE_COUNT, ATTR_MESSAGING_OPERATION_TYPE } from '@opentelemetry/semantic-conventions/incubating';
import { DEFAULT_JAEGER_URL, JaegerClient, normalizeTraceId } from './jaeger';
import { readTransactionLogs, type TransactionLogsOptions } from './transaction-logs';
import type { TraceSpan, Transaction, TransactionTrace } from './types';
import { VictoriaLogsClient } from './victorialogs';

export interface FetchTransactionOptions {
  /** Jaeger's query endpoint; default http://127.0.0.1:16686. */
  jaegerUrl?: string;
  /** Stitch the traces linked to the root trace, in both directions (default true). */
  followLinks?: boolean;
  /** How far before and after the transaction's spans to look for traces linking into it (default 60). */
  lookAroundSeconds?: number;
  /** Also read the traces' log lines from VictoriaLogs (default: no logs); `{}` reads them with the defaults. */
  logs?: TransactionLogsOptions;
}

/** Most traces one transaction is stitched from, the root included. */
export const MAX_TRACES = 20;
/** Traces asked for per search; a window that returns this many is split in two and searched again. */
const SEARCH_LIMIT = 200;
/** A window is not split below this (an extremely busy service may then hide a trace). */
const MIN_SPLIT_MICROS = 500_000;
/** Upper bound on search requests for one transaction. */
const MAX_SEARCHES = 1_000;
const CONCURRENCY = 8;

/**
 * A fan-in span joins many messages of possibly many transactions (the batch consumer's `poll`
 * span links to every record's send span). Through such a span the walk does not go on (except in
 * the root trace, where the reader asked for exactly that batch): the trace holding it is shown, its
 * other link targets are not fetched, and traces linking to it are not taken in.
 */
export function isFanIn(span: TraceSpan): boolean {
  const otherTraces = new Set(span.links.map((link) => link.traceId).filter((id) => id !== span.traceId)).size;
  if (otherTraces >= 3) return true;
  const batch =
    span.attributes[ATTR_MESSAGING_BATCH_MESSAGE_COUNT] !== undefined || span.attributes[ATTR_MESSAGING_OPERATION_TYPE] === 'receive';
  return otherTraces >= 2 && batch;
}

const startOf = (trace: TransactionTrace) => Math.min(...trace.spans.map((span) => span.startMicros));
const endOf = (trace: TransactionTrace) => Math.max(...trace.spans.map((span) => span.startMicros + span.durationMicros));

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/**
 * Traces found by searching Jaeger per service and time window. Jaeger has no index from a span to
 * the spans linking to it, so traces linking into the transaction are found by reading every trace
 * around it; each service's covered window is remembered, so a wider window only fetches the rest.
 */
class CandidatePool {
  readonly traces = new Map<string, TransactionTrace>();
  private readonly covered = new Map<string, [number, number]>();
  private searches = 0;

  constructor(private readonly client: JaegerClient) {}

  async cover(services: string[], start: number, end: number): Promise<void> {
    await inParallel(services, async (service) => {
      const had = this.covered.get(service);
      const gaps: [number, number][] = had
        ? [
            [start, had[0]],
            [had[1], end],
          ]
        : [[start, end]];
      for (const [from, to] of gaps) if (to > from) await this.search(service, from, to);
      this.covered.set(service, had ? [Math.min(had[0], start), Math.max(had[1], end)] : [start, end]);
    });
  }

  private async search(service: string, from: number, to: number): Promise<void> {
    if (++this.searches > MAX_SEARCHES) return;
    const found = await this.client.search({ service, startMicros: from, endMicros: to, limit: SEARCH_LIMIT });
    for (const trace of found) {
      const known = this.traces.get(trace.traceId);
      if (!known || known.spans.length < trace.spans.length) this.traces.set(trace.traceId, trace);
    }
    if (found.length >= SEARCH_LIMIT && to - from > MIN_SPLIT_MICROS) {
      const middle = Math.floor((from + to) / 2);
      await this.search(service, from, middle);
      await this.search(service, middle, to);
    }
  }
}

/** fetchTransaction with its Jaeger client given (tests pass one over a fake fetch). */
export async function stitchTransaction(
  client: JaegerClient,
  traceId: string,
  options: Pick<FetchTransactionOptions, 'followLinks' | 'lookAroundSeconds'> = {},
): Promise<Transaction> {
  const rootTraceId = normalizeTraceId(traceId);
  if (!/^[0-9a-f]{32}$/.test(rootTraceId)) throw new Error(`"${traceId}" is not a trace id (up to 32 hex digits)`);
  const root = await client.trace(rootTraceId);
  if (!root) throw new Error(`trace ${rootTraceId} not found in Jaeger at ${client.baseUrl}`);
  const traces = new Map([[rootTraceId, root]]);
  if (options.followLinks ?? true) await followLinks(client, rootTraceId, traces, (options.lookAroundSeconds ?? 60) * 1e6);
  const linked = [...traces.values()]
    .filter((trace) => trace !== root)
    .sort((a, b) => startOf(a) - startOf(b) || a.traceId.localeCompare(b.traceId));
  return { rootTraceId, traces: [root, ...linked] };
}

async function followLinks(
  client: JaegerClient,
  rootTraceId: string,
  traces: Map<string, TransactionTrace>,
  lookAroundMicros: number,
): Promise<void> {
  const pool = new CandidatePool(client);
  const absent = new Set<string>(); // linked trace ids Jaeger does not have (yet)
  const full = () => traces.size >= MAX_TRACES;
  const walkable = (trace: TransactionTrace, span: TraceSpan) => trace.traceId === rootTraceId || !isFanIn(span);
  let allServices: string[] | undefined;

  for (let added = true; added && !full();) {
    added = false;

    // Outgoing: links from the transaction's spans into traces not taken in yet.
    const targets = new Set<string>();
    for (const trace of traces.values())
      for (const span of trace.spans)
        if (walkable(trace, span))
          for (const link of span.links) if (!traces.has(link.traceId) && !absent.has(link.traceId)) targets.add(link.traceId);
    const fetched = new Map<string, TransactionTrace | undefined>();
    await inParallel([...targets], async (id) => void fetched.set(id, await client.trace(id)));
    for (const id of targets) {
      const trace = fetched.get(id);
      if (!trace) absent.add(id);
      else if (!full()) {
        traces.set(id, trace);
        added = true;
      }
    }
    if (full()) break;

    // Incoming: traces around the transaction with a link into one of its traces.
    const all = [...traces.values()];
    const start = Math.min(...all.map(startOf)) - lookAroundMicros;
    const end = Math.max(...all.map(endOf)) + lookAroundMicros;
    // A linking trace may come from a service the transaction has not shown yet (in link mode the
    // first consumer's service is never in the root trace), so every service Jaeger knows is searched,
    // the transaction's own first.
    allServices ??= await client.services();
    const seen = [...new Set(all.flatMap((trace) => trace.spans.map((span) => span.service)))];
    await pool.cover([...seen, ...allServices.filter((service) => !seen.includes(service))], start, end);
    const candidates = [...pool.traces.values()].filter((trace) => !traces.has(trace.traceId)).sort((a, b) => startOf(a) - startOf(b));
    for (const candidate of candidates) {
      if (full()) break;
      const linksIn = candidate.spans.some((span) =>
        span.links.some((link) => {
          const target = traces.get(link.traceId);
          if (!target) return false;
          const targetSpan = target.spans.find((s) => s.spanId === link.spanId);
          return !targetSpan || walkable(target, targetSpan);
        }),
      );
      if (linksIn) {
        // A Jaeger that adjusts clock skew (its default) answers searches adjusted; the view shows the trace as stored.
        traces.set(candidate.traceId, (await client.trace(candidate.traceId)) ?? candidate);
        added = true;
      }
    }
  }
}

/**
 * The root trace and, unless followLinks is false, the traces linked to it in either direction:
 * traces its spans link to (FOLLOWS_FROM references), and traces whose spans link into it, found by
 * searching Jaeger around the transaction's time window; repeated until nothing new is found
 * (at most MAX_TRACES traces). Linked traces Jaeger does not have (yet) are left out. With `logs`,
 * the log lines of every trace from VictoriaLogs too (a log store that cannot be read is a note in
 * `transaction.logs.error`, not a failure).
 */
export async function fetchTransaction(traceId: string, options: FetchTransactionOptions = {}): Promise<Transaction> {
  const transaction = await stitchTransaction(new JaegerClient(options.jaegerUrl ?? DEFAULT_JAEGER_URL), traceId, options);
  if (options.logs)
    transaction.logs = await readTransactionLogs(new VictoriaLogsClient(options.logs.url), transaction.traces, options.logs.limit);
  return transaction;
}
