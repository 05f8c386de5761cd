import type { JaegerClient, TraceSearch } from '../trace-view/jaeger';
import { summarize, type TraceSummary } from './summary';

/** A trace search over one or every service: Jaeger's API searches one service at a time. */
export type TraceQuery = Omit<TraceSearch, 'service'> & {
  /** Empty: every service Jaeger knows. */
  services: string[];
};

/** Traces matching the query, newest first, at most `limit`; a trace found through several services is listed once. */
export async function findTraces(jaeger: JaegerClient, query: TraceQuery): Promise<TraceSummary[]> {
  const services = query.services.length ? query.services : await jaeger.services();
  const found = new Map<string, TraceSummary>();
  for (const service of services)
    for (const trace of await jaeger.search({ ...query, service }))
      if (!found.has(trace.traceId)) found.set(trace.traceId, summarize(trace));
  return [...found.values()].sort((a, b) => b.startMicros - a.startMicros).slice(0, query.limit);
}
