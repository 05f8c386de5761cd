import { loadManifest } from '../../infra/stack/src/manifest';
import { unreachableError } from '../trace-view/unreachable';

/**
 * The service dependency graph for Jaeger on OpenSearch. Jaeger serves /api/dependencies from its
 * `jaeger-dependencies-*` indices, which nothing in Jaeger itself fills for OpenSearch: upstream
 * leaves that to the spark-dependencies job, shipped only as a container image. This computes the
 * same documents from the stored spans — an edge for every span whose parent or linked span belongs
 * to another service — in five-minute buckets, each written under its own id, so that computing a
 * window again replaces its buckets instead of counting them twice.
 */

export const DEFAULT_SEARCH_URL = `http://127.0.0.1:${loadManifest().ports.SEARCH_PORT}`;
/** Jaeger's index prefix in infra/jaeger/jaeger.yaml, and its default daily index layout. */
const INDEX_PREFIX = 'tracehop-jaeger-';
const BUCKET_MILLIS = 5 * 60_000;
/** The start of the five-minute bucket holding this instant: the window Jaeger is asked about starts there. */
export const bucketOf = (millis: number) => Math.floor(millis / BUCKET_MILLIS) * BUCKET_MILLIS;
const PAGE_SIZE = 5000;

/** How a call crossed: over HTTP, or through Kafka topics (the consumer's destination). */
export interface Edge {
  parent: string;
  child: string;
  callCount: number;
  /** `HTTP`, or the topics the records travelled through. */
  via: string[];
}

/** The fields of Jaeger's span documents read here (tags_as_fields: `tag.<key with @ for .>`). */
interface SpanDocument {
  traceID: string;
  spanID: string;
  startTimeMillis: number;
  references?: { refType: string; traceID: string; spanID: string }[] | null;
  process: { serviceName: string };
  tag?: Record<string, unknown>;
}

const dayOf = (millis: number) => new Date(millis).toISOString().slice(0, 10);

async function openSearch<T>(searchUrl: string, method: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${searchUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).catch((error: unknown) => {
    throw unreachableError('OpenSearch', searchUrl, error);
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`OpenSearch answered ${response.status} for ${method} ${path}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Every span that started in [fromMillis, toMillis), paged in start order. */
async function* spansBetween(searchUrl: string, fromMillis: number, toMillis: number): AsyncGenerator<SpanDocument> {
  let after: unknown[] | undefined;
  for (;;) {
    const page = await openSearch<{ hits: { hits: { _source: SpanDocument; sort: unknown[] }[] } }>(
      searchUrl,
      'POST',
      `/${INDEX_PREFIX}span-*/_search?ignore_unavailable=true&allow_no_indices=true`,
      {
        size: PAGE_SIZE,
        _source: [
          'traceID',
          'spanID',
          'startTimeMillis',
          'references',
          'process.serviceName',
          'tag.span@kind',
          'tag.messaging@destination@name',
          'tag.messaging@operation@type',
        ],
        query: { range: { startTimeMillis: { gte: fromMillis, lt: toMillis } } },
        sort: [{ startTime: 'asc' }, { spanID: 'asc' }],
        ...(after ? { search_after: after } : {}),
      },
    );
    for (const hit of page.hits.hits) yield hit._source;
    if (page.hits.hits.length < PAGE_SIZE) return;
    after = page.hits.hits.at(-1)!.sort;
  }
}

/**
 * Computes the buckets covering [fromMillis, toMillis) and writes them to Jaeger's dependency
 * indices; returns the edges with how they crossed (which Jaeger's documents have no field for).
 */
export async function computeDependencies(searchUrl: string, fromMillis: number, toMillis: number): Promise<Edge[]> {
  const firstBucket = bucketOf(fromMillis);
  // A parent may have started up to a bucket earlier than its child (a consumer behind its topic).
  const spans: SpanDocument[] = [];
  for await (const span of spansBetween(searchUrl, firstBucket - BUCKET_MILLIS, toMillis)) spans.push(span);
  const serviceOf = new Map(spans.map((span) => [`${span.traceID}/${span.spanID}`, span.process.serviceName]));

  const buckets = new Map<number, Map<string, Edge>>();
  for (let bucket = firstBucket; bucket < toMillis; bucket += BUCKET_MILLIS) buckets.set(bucket, new Map());
  for (const span of spans) {
    const edges = buckets.get(bucketOf(span.startTimeMillis));
    // A poll span links to every record it fetched, whose process spans carry the same hop: count those.
    if (!edges || span.tag?.['messaging@operation@type'] === 'receive') continue;
    const child = span.process.serviceName;
    // CHILD_OF within the trace, FOLLOWS_FROM (a link) across traces: both are calls between services.
    for (const reference of span.references ?? []) {
      const parent = serviceOf.get(`${reference.traceID}/${reference.spanID}`);
      if (!parent || parent === child) continue;
      const key = `${parent}\u0000${child}`;
      const edge = edges.get(key) ?? { parent, child, callCount: 0, via: [] };
      edge.callCount += 1;
      const topic = span.tag?.['messaging@destination@name'];
      const via =
        typeof topic === 'string' ? topic : span.tag?.['span@kind'] === 'server' ? 'HTTP' : String(span.tag?.['span@kind'] ?? 'internal');
      if (!edge.via.includes(via)) edge.via.push(via);
      edges.set(key, edge);
    }
  }

  for (const [bucket, edges] of buckets) {
    const dependencies = [...edges.values()].map(({ parent, child, callCount }) => ({ parent, child, callCount }));
    await openSearch(searchUrl, 'PUT', `/${INDEX_PREFIX}dependencies-${dayOf(bucket)}/_doc/${bucket}?refresh=true`, {
      timestamp: new Date(bucket).toISOString(),
      dependencies,
    });
  }
  return mergeEdges([...buckets.values()].flatMap((edges) => [...edges.values()]));
}

/** Edges of several buckets (or Jaeger's answer over several documents) as one per service pair. */
export function mergeEdges(edges: readonly Edge[]): Edge[] {
  const merged = new Map<string, Edge>();
  for (const edge of edges) {
    const key = `${edge.parent}\u0000${edge.child}`;
    const into = merged.get(key);
    if (!into) merged.set(key, { ...edge, via: [...edge.via] });
    else {
      into.callCount += edge.callCount;
      for (const via of edge.via) if (!into.via.includes(via)) into.via.push(via);
    }
  }
  return [...merged.values()].sort((a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child));
}
