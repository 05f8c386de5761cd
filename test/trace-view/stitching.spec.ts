import { MAX_TRACES, isFanIn, stitchTransaction } from '../../tools/trace-view/fetch-transaction';
import { JaegerClient, mapJaegerTrace, type JaegerTraceJson } from '../../tools/trace-view/jaeger';

/**
 * fetchTransaction's stitching against a fake Jaeger query API holding a link-mode transaction
 * (each Kafka hop a new trace linking to its send span), a settlement batch shared with another
 * transaction, unrelated traces around it, and one far away in time.
 */
const T0 = 1_795_000_000_000_000; // µs
const URL_BASE = 'http://fake-jaeger:16686';

interface SpanSpec {
  id: string;
  service: string;
  name: string;
  at: number; // ms after T0
  ms?: number;
  parent?: string;
  links?: [string, string][];
  tags?: Record<string, string | number>;
}

const tid = (n: string) => n.padEnd(32, '0');
const sid = (n: string) => n.padEnd(16, '0');

function trace(id: string, spans: SpanSpec[]): JaegerTraceJson {
  const services = [...new Set(spans.map((span) => span.service))];
  return {
    traceID: tid(id),
    processes: Object.fromEntries(services.map((service, i) => [`p${i}`, { serviceName: service }])),
    spans: spans.map((span) => ({
      traceID: tid(id),
      spanID: sid(span.id),
      operationName: span.name,
      processID: `p${services.indexOf(span.service)}`,
      startTime: T0 + span.at * 1000,
      duration: (span.ms ?? 5) * 1000,
      references: [
        ...(span.parent ? [{ refType: 'CHILD_OF', traceID: tid(id), spanID: sid(span.parent) }] : []),
        ...(span.links ?? []).map(([traceId, spanId]) => ({ refType: 'FOLLOWS_FROM', traceID: tid(traceId), spanID: sid(spanId) })),
      ],
      tags: Object.entries(span.tags ?? {}).map(([key, value]) => ({ key, type: typeof value === 'number' ? 'int64' : 'string', value })),
      logs: [],
    })),
  };
}

/** Jaeger's query API over these traces: by id, search by service and start window (newest first, limit), services. */
function fakeJaeger(traces: JaegerTraceJson[]) {
  const requests: string[] = [];
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  const fetchImpl = (async (input: string | URL | Request) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    requests.push(url.pathname + url.search);
    const serviceOf = (t: JaegerTraceJson, processId: string) => t.processes[processId].serviceName;
    if (url.pathname === '/api/services')
      return json(200, { data: [...new Set(traces.flatMap((t) => Object.values(t.processes).map((p) => p.serviceName)))] });
    const byId = /^\/api\/traces\/([0-9a-f]+)$/.exec(url.pathname);
    if (byId) {
      const found = traces.find((t) => t.traceID === byId[1]);
      return found ? json(200, { data: [found] }) : json(404, { data: null, errors: [{ code: 404, msg: 'trace not found' }] });
    }
    if (url.pathname === '/api/traces') {
      const service = url.searchParams.get('service');
      const start = Number(url.searchParams.get('start'));
      const end = Number(url.searchParams.get('end'));
      const limit = Number(url.searchParams.get('limit'));
      const latest = (t: JaegerTraceJson) => Math.max(...t.spans.map((s) => s.startTime));
      const matching = traces
        .filter((t) => t.spans.some((s) => serviceOf(t, s.processID) === service && s.startTime >= start && s.startTime <= end))
        .sort((a, b) => latest(b) - latest(a))
        .slice(0, limit);
      return json(200, { data: matching });
    }
    return json(404, { errors: [{ msg: 'no such route' }] });
  }) as typeof fetch;
  return { client: new JaegerClient(URL_BASE, fetchImpl), requests };
}

const batch = { 'messaging.batch.message_count': 2, 'messaging.operation.type': 'receive' };
// The transaction, in link mode: R (HTTP, order-service + user-service) → T1 (payment-service) → T2 (order-service) → T3 (user-service).
const R = trace('a1', [
  { id: 'a1', service: 'order-service', name: 'POST /orders', at: 0, ms: 20 },
  { id: 'a2', service: 'user-service', name: 'GET /users/:id', at: 2, parent: 'a1' },
  { id: 'a3', service: 'order-service', name: 'send orders.order-created.v1', at: 10, parent: 'a1' },
]);
const T1 = trace('b1', [
  { id: 'b1', service: 'payment-service', name: 'process orders.order-created.v1', at: 30, ms: 40, links: [['a1', 'a3']] },
  { id: 'b2', service: 'payment-service', name: 'send payments.payment-completed.v1', at: 60, parent: 'b1' },
]);
const T2 = trace('c1', [
  {
    id: 'c1',
    service: 'order-service',
    name: 'process payments.payment-completed.v1',
    at: 100,
    links: [
      ['b1', 'b2'],
      ['ee', 'ee'],
    ],
  }, // and a trace Jaeger lacks
  { id: 'c2', service: 'order-service', name: 'send orders.order-confirmed.v1', at: 104, parent: 'c1' },
]);
const T3 = trace('d1', [{ id: 'd1', service: 'user-service', name: 'process orders.order-confirmed.v1', at: 150, links: [['c1', 'c2']] }]);
// The settlement batch: its poll span links to this transaction's payment and another transaction's (X).
const X1 = trace('f1', [
  { id: 'f1', service: 'payment-service', name: 'process orders.order-created.v1', at: 70 },
  { id: 'f2', service: 'payment-service', name: 'send payments.payment-completed.v1', at: 80, parent: 'f1' },
]);
const P = trace('91', [
  {
    id: '91',
    service: 'payment-service',
    name: 'poll payments.payment-completed.v1',
    at: 90,
    links: [
      ['b1', 'b2'],
      ['f1', 'f2'],
    ],
    tags: batch,
  },
]);
const S = trace('92', [
  {
    id: '92',
    service: 'payment-service',
    name: 'process payments.payment-completed.v1',
    at: 91,
    links: [
      ['b1', 'b2'],
      ['91', '91'],
    ],
  },
]);
const SX = trace('93', [
  {
    id: '93',
    service: 'payment-service',
    name: 'process payments.payment-completed.v1',
    at: 92,
    links: [
      ['f1', 'f2'],
      ['91', '91'],
    ],
  },
]);
// Around it: unrelated traces, and a trace linking to T3 five minutes later.
const noise = [
  trace('71', [{ id: '71', service: 'order-service', name: 'GET /health/ready', at: 50 }]),
  trace('72', [{ id: '72', service: 'dbg-prod', name: 'span 1', at: 120 }]),
];
const late = trace('81', [
  { id: '81', service: 'audit-service', name: 'process orders.order-confirmed.v1', at: 300_000, links: [['d1', 'd1']] },
]);
const ALL = [R, T1, T2, T3, X1, P, S, SX, ...noise, late];

const ids = (transaction: { traces: { traceId: string }[] }) => transaction.traces.map((t) => t.traceId);

describe('fetchTransaction: stitching linked traces from Jaeger', () => {
  it('follows links in both directions across hops in link mode, from the root to the last consumer', async () => {
    const { client } = fakeJaeger(ALL);
    const transaction = await stitchTransaction(client, R.traceID);
    expect(transaction.rootTraceId).toBe(R.traceID);
    // root first, then by start: T1 (30 ms), the poll (90), the settlement record (91), T2 (100), T3 (150)
    expect(ids(transaction)).toEqual([R, T1, P, S, T2, T3].map((t) => t.traceID));
    expect(transaction.traces[1]).toEqual(mapJaegerTrace(T1));
  });

  it('finds the same transaction from a trace in the middle (outgoing links lead back to the root)', async () => {
    const { client } = fakeJaeger(ALL);
    const transaction = await stitchTransaction(client, T3.traceID.toUpperCase());
    expect(transaction.rootTraceId).toBe(T3.traceID);
    expect(ids(transaction)).toEqual([T3, R, T1, P, S, T2].map((t) => t.traceID));
  });

  it('does not walk through a batch span into other transactions (except from the batch trace itself)', async () => {
    const { client } = fakeJaeger(ALL);
    expect(ids(await stitchTransaction(client, R.traceID))).not.toEqual(expect.arrayContaining([X1.traceID]));
    expect(ids(await stitchTransaction(client, R.traceID))).not.toEqual(expect.arrayContaining([SX.traceID]));
    const fromPoll = ids(await stitchTransaction(client, P.traceID));
    expect(fromPoll).toEqual(expect.arrayContaining([P.traceID, T1.traceID, X1.traceID, R.traceID]));
    expect(isFanIn(mapJaegerTrace(P).spans[0])).toBe(true);
    expect(isFanIn(mapJaegerTrace(S).spans[0])).toBe(false); // a record's two links (its message and its batch)
  });

  it('searches every service Jaeger knows over the window ± lookAroundSeconds, and no further', async () => {
    const { client, requests } = fakeJaeger(ALL);
    await stitchTransaction(client, R.traceID);
    const searches = requests.filter((r) => r.startsWith('/api/traces?')).map((r) => new URL(r, URL_BASE).searchParams);
    expect(new Set(searches.map((q) => q.get('service')))).toEqual(
      new Set(['order-service', 'user-service', 'payment-service', 'dbg-prod', 'audit-service']),
    );
    expect(Math.min(...searches.map((q) => Number(q.get('start'))))).toBe(T0 - 60e6);
    expect(Math.max(...searches.map((q) => Number(q.get('end'))))).toBe(T0 + 155_000 + 60e6);
    // the late trace (5 min after) is found when the look-around reaches it
    expect(ids(await stitchTransaction(fakeJaeger(ALL).client, R.traceID, { lookAroundSeconds: 400 }))).toContain(late.traceID);
  });

  it('only the root trace without followLinks', async () => {
    const { client, requests } = fakeJaeger(ALL);
    expect(ids(await stitchTransaction(client, R.traceID, { followLinks: false }))).toEqual([R.traceID]);
    expect(requests).toEqual([`/api/traces/${R.traceID}?raw=true`]);
  });

  it('fails clearly when the root trace is not in Jaeger, and returns what exists when a linked one is not', async () => {
    const { client } = fakeJaeger(ALL);
    await expect(stitchTransaction(client, '1234')).rejects.toThrow(
      `trace 00000000000000000000000000001234 not found in Jaeger at ${URL_BASE}`,
    );
    await expect(stitchTransaction(client, 'not-an-id')).rejects.toThrow('"not-an-id" is not a trace id');
    const fromT2 = await stitchTransaction(client, T2.traceID); // T2 links to a trace Jaeger lacks
    expect(ids(fromT2)).not.toContain(tid('ee'));
    expect(ids(fromT2)).toContain(T3.traceID);
  });

  it(`stops at ${MAX_TRACES} traces`, async () => {
    const chain = Array.from({ length: 30 }, (_, i) =>
      trace(`c${String(i).padStart(3, '0')}`, [
        {
          id: `c${i}`,
          service: 'order-service',
          name: `hop ${i}`,
          at: i * 10,
          links: i ? [[`c${String(i - 1).padStart(3, '0')}`, `c${i - 1}`]] : [],
        },
      ]),
    );
    const { client } = fakeJaeger(chain);
    const transaction = await stitchTransaction(client, chain[0].traceID);
    expect(transaction.traces).toHaveLength(MAX_TRACES);
    expect(ids(transaction)).toEqual(chain.slice(0, MAX_TRACES).map((t) => t.traceID));
  });

  it('splits a search window that returns a full page, so a linking trace among many is not missed', async () => {
    const crowd = Array.from({ length: 450 }, (_, i) =>
      trace(`5${String(i).padStart(4, '0')}`, [
        { id: `5${i}`, service: 'order-service', name: 'GET /health/ready', at: -50_000 + i * 200 },
      ]),
    );
    const early = trace('e1', [
      { id: 'e1', service: 'order-service', name: 'process orders.order-created.v1', at: -40_000, links: [['a1', 'a3']] },
    ]);
    const { client, requests } = fakeJaeger([R, early, ...crowd]);
    expect(ids(await stitchTransaction(client, R.traceID))).toEqual([R.traceID, early.traceID]);
    expect(requests.filter((r) => r.includes('service=order-service')).length).toBeGreaterThan(2);
  });
});
