import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { loadManifest } from '../../infra/stack/src/manifest';
import type { SpanKind, TraceSpan, TransactionTrace } from './types';
import { unreachableError } from './unreachable';

/** Jaeger's HTTP query API (v1 JSON, which Jaeger v2 still serves at /api/traces). */

export interface JaegerKeyValue {
  key: string;
  type?: string;
  value: unknown;
}

export interface JaegerReference {
  refType: 'CHILD_OF' | 'FOLLOWS_FROM' | string;
  traceID: string;
  spanID: string;
}

export interface JaegerSpanJson {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: JaegerReference[] | null;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerKeyValue[] | null;
  logs?: { timestamp: number; fields: JaegerKeyValue[] }[] | null;
  processID: string;
  warnings?: string[] | null;
}

export interface JaegerTraceJson {
  traceID: string;
  spans: JaegerSpanJson[];
  processes: Record<string, { serviceName: string; tags?: JaegerKeyValue[] }>;
}

/** A search of Jaeger's query API: durations as Jaeger parses them (`250ms`, `1.5s`); tag values match as regular expressions in OpenSearch. */
export interface TraceSearch {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  minDuration?: string;
  maxDuration?: string;
  startMicros: number;
  endMicros: number;
  limit: number;
}

/** One edge of Jaeger's dependency graph. */
export interface DependencyLink {
  parent: string;
  child: string;
  callCount: number;
}

export const DEFAULT_JAEGER_URL = `http://127.0.0.1:${loadManifest().ports.JAEGER_QUERY_PORT}`;

const KINDS: readonly SpanKind[] = ['server', 'client', 'producer', 'consumer', 'internal'];
/** Tags Jaeger derives from the span's kind and status; they become TraceSpan fields, not attributes. */
const FIELD_TAGS = new Set(['span.kind', 'error', 'otel.status_code', 'otel.status_description']);

/**
 * Ids as one canonical string: lower case, trace ids 32 and span ids 16 hex digits (Jaeger may print
 * a 64-bit trace id in 16 digits, or drop leading zeros).
 */
export const normalizeTraceId = (id: string): string => id.trim().toLowerCase().padStart(32, '0');
const normalizeSpanId = (id: string): string => id.trim().toLowerCase().padStart(16, '0');

function attributeValue(tag: JaegerKeyValue): string | number | boolean {
  const { value } = tag;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value) ?? String(value);
}

function errorMessageOf(span: JaegerSpanJson, tags: Map<string, unknown>): string | undefined {
  const description = tags.get('otel.status_description');
  if (typeof description === 'string' && description) return description;
  for (const log of span.logs ?? []) {
    const fields = new Map(log.fields.map((field) => [field.key, field.value]));
    const message = fields.get('exception.message');
    if (fields.get('event') === 'exception' && typeof message === 'string' && message) return message;
  }
  const type = tags.get(ATTR_ERROR_TYPE);
  return typeof type === 'string' && type ? type : undefined;
}

/** One Jaeger span as a TraceSpan (service from the trace's processes). */
function mapJaegerSpan(span: JaegerSpanJson, processes: JaegerTraceJson['processes']): TraceSpan {
  const traceId = normalizeTraceId(span.traceID);
  const tags = new Map((span.tags ?? []).map((tag) => [tag.key, tag.value]));
  const rawKind = String(tags.get('span.kind') ?? '').toLowerCase();
  const kind = (KINDS as readonly string[]).includes(rawKind) ? (rawKind as SpanKind) : 'internal';
  const error = tags.get('otel.status_code') === 'ERROR' || tags.get('error') === true || tags.get('error') === 'true';

  let parentSpanId: string | undefined;
  const links: TraceSpan['links'] = [];
  for (const ref of span.references ?? []) {
    const target = { traceId: normalizeTraceId(ref.traceID), spanId: normalizeSpanId(ref.spanID) };
    // A parent is CHILD_OF in the same trace; anything else (FOLLOWS_FROM, or a cross-trace CHILD_OF
    // from a non-OpenTelemetry source) is a link.
    if (ref.refType === 'CHILD_OF' && target.traceId === traceId && parentSpanId === undefined) parentSpanId = target.spanId;
    else links.push(target);
  }

  const attributes: TraceSpan['attributes'] = {};
  for (const tag of span.tags ?? []) if (!FIELD_TAGS.has(tag.key)) attributes[tag.key] = attributeValue(tag);

  const mapped: TraceSpan = {
    traceId,
    spanId: normalizeSpanId(span.spanID),
    service: processes[span.processID]?.serviceName ?? 'unknown',
    name: span.operationName,
    kind,
    startMicros: span.startTime,
    durationMicros: span.duration,
    error,
    attributes,
    links,
  };
  if (parentSpanId !== undefined) mapped.parentSpanId = parentSpanId;
  const errorMessage = error ? errorMessageOf(span, tags) : undefined;
  if (errorMessage !== undefined) mapped.errorMessage = errorMessage;
  return mapped;
}

/** A Jaeger trace as a TransactionTrace; spans Jaeger returns twice (same span id) are kept once. */
export function mapJaegerTrace(trace: JaegerTraceJson): TransactionTrace {
  const seen = new Set<string>();
  const spans: TraceSpan[] = [];
  for (const span of trace.spans ?? []) {
    const mapped = mapJaegerSpan(span, trace.processes ?? {});
    if (seen.has(mapped.spanId)) continue;
    seen.add(mapped.spanId);
    spans.push(mapped);
  }
  return { traceId: normalizeTraceId(trace.traceID), spans };
}

/** The calls fetchTransaction makes; `fetch` is the global one unless a test passes its own. */
export class JaegerClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string = DEFAULT_JAEGER_URL,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async get(path: string): Promise<{ status: number; body: { data?: unknown; errors?: { msg?: string }[] | null } }> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers: { accept: 'application/json' } });
    } catch (error) {
      throw unreachableError('Jaeger', this.baseUrl, error);
    }
    const text = await response.text();
    let body: { data?: unknown; errors?: { msg?: string }[] | null };
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new Error(
        `Jaeger at ${this.baseUrl} answered ${response.status} with a body that is not JSON for ${path}: ${text.slice(0, 200)}`,
      );
    }
    return { status: response.status, body };
  }

  /**
   * The trace as stored, or undefined when Jaeger does not have it (yet). `raw=true` skips Jaeger's
   * clock-skew adjustment, which squeezes spans that outlive their parent (every async hop) into the
   * parent's time window: the stack's Jaeger has it off, but the view may read any Jaeger.
   */
  async trace(traceId: string): Promise<TransactionTrace | undefined> {
    const { status, body } = await this.get(`/api/traces/${encodeURIComponent(traceId)}?raw=true`);
    if (status === 404) return undefined;
    if (status !== 200)
      throw new Error(
        `Jaeger at ${this.baseUrl} answered ${status} for trace ${traceId}: ${body.errors?.map((e) => e.msg).join('; ') ?? ''}`,
      );
    const [trace] = (body.data as JaegerTraceJson[] | null) ?? [];
    return trace && trace.spans?.length ? mapJaegerTrace(trace) : undefined;
  }

  /**
   * Traces with a span of `query.service` starting in [startMicros, endMicros] that match the rest of
   * the query, at most `limit` (clock-skew adjusted: find with it, read with trace()).
   */
  async search(query: TraceSearch): Promise<TransactionTrace[]> {
    const params = new URLSearchParams({
      service: query.service,
      start: String(Math.floor(query.startMicros)),
      end: String(Math.ceil(query.endMicros)),
      limit: String(query.limit),
    });
    if (query.operation) params.set('operation', query.operation);
    if (query.minDuration) params.set('minDuration', query.minDuration);
    if (query.maxDuration) params.set('maxDuration', query.maxDuration);
    if (query.tags && Object.keys(query.tags).length) params.set('tags', JSON.stringify(query.tags));
    const { status, body } = await this.get(`/api/traces?${params}`);
    if (status !== 200)
      throw new Error(
        `Jaeger at ${this.baseUrl} answered ${status} searching ${query.service}: ${body.errors?.map((e) => e.msg).join('; ') ?? ''}`,
      );
    return ((body.data as JaegerTraceJson[] | null) ?? []).filter((trace) => trace.spans?.length).map(mapJaegerTrace);
  }

  /** Service-to-service calls Jaeger's dependency store holds for (endMillis - lookbackMillis, endMillis]. */
  async dependencies(endMillis: number, lookbackMillis: number): Promise<DependencyLink[]> {
    const params = new URLSearchParams({ endTs: String(Math.floor(endMillis)), lookback: String(Math.ceil(lookbackMillis)) });
    const { status, body } = await this.get(`/api/dependencies?${params}`);
    if (status !== 200)
      throw new Error(`Jaeger at ${this.baseUrl} answered ${status} for dependencies: ${body.errors?.map((e) => e.msg).join('; ') ?? ''}`);
    return (body.data as DependencyLink[] | null) ?? [];
  }

  /** Every service Jaeger knows. */
  async services(): Promise<string[]> {
    const { status, body } = await this.get('/api/services');
    if (status !== 200) throw new Error(`Jaeger at ${this.baseUrl} answered ${status} listing services`);
    return ((body.data as string[] | null) ?? []).filter((name) => typeof name === 'string');
  }
}
