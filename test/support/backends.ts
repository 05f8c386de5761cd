import { loadManifest } from '../../infra/stack/src/manifest';

/** Reads the real backends the stack runs, at the ports its manifest pins. */
const ports = loadManifest().ports;
const local = (portName: string) => `http://127.0.0.1:${ports[portName]}`;

export const endpoints = {
  agentGrpc: `127.0.0.1:${ports.AGENT_OTLP_GRPC_PORT}`,
  agentMetrics: local('AGENT_METRICS_PORT'),
  gatewayMetrics: local('GATEWAY_METRICS_PORT'),
  kafka: `127.0.0.1:${ports.KAFKA_PORT}`,
  postgresPort: ports.POSTGRES_PORT,
  jaeger: local('JAEGER_QUERY_PORT'),
  victorialogs: local('VICTORIALOGS_HTTP_PORT'),
  prometheus: local('PROMETHEUS_PORT'),
  search: local('SEARCH_PORT'),
};

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  processID: string;
  /** Microseconds since the epoch. */
  startTime: number;
  duration: number;
  /** CHILD_OF is the parent; FOLLOWS_FROM are span links. */
  references: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
}
export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/**
 * The trace as Jaeger stored it (`raw`, the default here: no adjuster may touch it, see
 * tools/trace-view/jaeger.ts), or as Jaeger's UI reads it (`raw: false`); undefined while Jaeger
 * does not have it yet.
 */
export async function jaegerTrace(traceId: string, { raw = true } = {}): Promise<JaegerTrace | undefined> {
  const { status, body } = await getJson<{ data?: JaegerTrace[] }>(`${endpoints.jaeger}/api/traces/${traceId}${raw ? '?raw=true' : ''}`);
  return status === 200 ? body.data?.[0] : undefined;
}

export interface LogEntry {
  /** The record's body. */
  message: string;
  /** Every other field VictoriaLogs stored: trace_id, span_id, severity, resource and log attributes. */
  fields: Record<string, string>;
}

/** Log records matching a LogsQL query, from VictoriaLogs' query API (one JSON object per line). */
export async function logsQuery(query: string): Promise<LogEntry[]> {
  const response = await fetch(`${endpoints.victorialogs}/select/logsql/query`, {
    method: 'POST',
    body: new URLSearchParams({ query, limit: '1000' }),
  });
  if (!response.ok) throw new Error(`VictoriaLogs answered ${response.status}: ${await response.text()}`);
  return (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { _msg, ...fields } = JSON.parse(line) as Record<string, string>;
      return { message: _msg, fields };
    });
}

/** Log records of a service that carry this trace id. */
export function logsForTrace(serviceName: string, traceId: string): Promise<LogEntry[]> {
  return logsQuery(`service.name:=${JSON.stringify(serviceName)} trace_id:=${JSON.stringify(traceId)}`);
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export async function prometheusQuery(promql: string): Promise<PromSample[]> {
  const { body } = await getJson<{ data?: { result?: PromSample[] } }>(
    `${endpoints.prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`,
  );
  return body.data?.result ?? [];
}

/** The value of a PromQL query's first series, or undefined while there is none. */
export async function prometheusValue(promql: string): Promise<number | undefined> {
  const [sample] = await prometheusQuery(promql);
  return sample ? Number(sample.value[1]) : undefined;
}

/**
 * A counter from a collector's own Prometheus endpoint (endpoints.agentMetrics, .gatewayMetrics),
 * summed over the series whose labels include every given one (e.g. transport="grpc"); 0 before it
 * has any series.
 */
export async function collectorCounter(metricsEndpoint: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${metricsEndpoint}/metrics`)).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  return text
    .split('\n')
    .filter((line) => new RegExp(`^${name}(_total)?[{ ]`).test(line) && wanted.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Span documents Jaeger wrote to the search engine for this trace (Jaeger's own trace id format). */
export async function storedSpans(jaegerTraceId: string): Promise<{ traceID: string; operationName: string }[]> {
  await fetch(`${endpoints.search}/tracehop-jaeger-span-*/_refresh`, { method: 'POST' });
  const response = await fetch(`${endpoints.search}/tracehop-jaeger-span-*/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { term: { traceID: jaegerTraceId } } }),
  });
  const body = (await response.json()) as { hits?: { hits?: { _source: { traceID: string; operationName: string } }[] } };
  return (body.hits?.hits ?? []).map((hit) => hit._source);
}
