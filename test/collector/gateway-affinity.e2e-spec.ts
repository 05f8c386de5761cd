import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { stringify } from 'yaml';
import { TOPICS } from '@tracehop/contracts';
import { baselineThreshold } from '../../infra/stack/src/tail-sampling';
import { collectorCounter, endpoints, jaegerTrace, type JaegerTrace } from '../support/backends';
import { collectorConfig, freePorts, startCollector, type ExtraCollector } from '../support/collector-processes';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { shopClient } from '../support/shop-client';
import { SpanTap, type TappedSpan } from '../support/span-tap';

/**
 * Several gateways behind the agents (infra/collector/agent-loadbalancing.yaml): the load-balancing
 * exporter routes by trace ID, so all spans of a trace meet at one gateway and its tail sampling
 * keeps or drops the trace whole. Beside the stack: one agent (agent.yaml + the overlay + a static
 * resolver) and two gateways (gateway.yaml, GATEWAY_NAME gateway-a / gateway-b, a 50 % baseline),
 * exporting to the stack's Jaeger. The three services send to that agent; 1,000 orders each make
 * one trace (child hop mode) of a dozen and more spans from three processes, exported in separate
 * calls over a second or more (HTTP, then every Kafka hop). A tap on the agent records every span
 * it received; Jaeger must hold each order's trace with exactly those spans, all stamped by one
 * gateway, or not at all.
 */
const TRANSACTIONS = 1000;
const BASELINE_PERCENT = 50;
const GATEWAYS = ['gateway-a', 'gateway-b'] as const;
const ATTR_GATEWAY = 'tracehop.collector.gateway';
/** Spans every order's trace has, whatever else (pg.query, GET /users/:id client) it holds. */
const TRANSACTION_SPANS: [service: string, name: string][] = [
  ['order-service', 'POST /orders'],
  ['user-service', 'GET /users/:id'],
  ['order-service', `send ${TOPICS.orderCreated}`],
  ['payment-service', `process ${TOPICS.orderCreated}`],
  ['payment-service', 'charge payment'],
  ['payment-service', `send ${TOPICS.paymentCompleted}`],
  ['order-service', `process ${TOPICS.paymentCompleted}`],
  ['order-service', `send ${TOPICS.orderConfirmed}`],
  ['user-service', `process ${TOPICS.orderConfirmed}`],
];

type ProcessTags = Record<string, { serviceName: string; tags?: { key: string; value: unknown }[] }>;

interface TraceOutcome {
  traceId: string;
  tapped: Map<string, TappedSpan>;
  /** Span ids Jaeger holds for the trace (empty: dropped). */
  stored: Set<string>;
  /** The gateway stamps on the stored spans; `undefined` for a span without one. */
  gateways: Set<string | undefined>;
}

const hasSpan = (spans: Map<string, TappedSpan>, [service, name]: [string, string]) =>
  [...spans.values()].some((span) => span.service === service && span.name === name);

/** The baseline's decision for a trace without `rv` (gateway.yaml, keep-baseline): its low 56 bits against the threshold. */
const threshold = baselineThreshold(BASELINE_PERCENT);
const baselineKeeps = (traceId: string) => traceId.slice(18) >= threshold;

async function storedSpans(traceId: string): Promise<{ stored: Set<string>; gateways: Set<string | undefined> }> {
  const trace: JaegerTrace | undefined = await jaegerTrace(traceId);
  const processes = (trace?.processes ?? {}) as ProcessTags;
  const gatewayOf = (processId: string) => processes[processId]?.tags?.find((tag) => tag.key === ATTR_GATEWAY)?.value as string | undefined;
  return {
    stored: new Set(trace?.spans.map((span) => span.spanID)),
    gateways: new Set(trace?.spans.map((span) => gatewayOf(span.processID))),
  };
}

describe('two gateways behind the agent’s load-balancing exporter', () => {
  const started = Date.now();
  /** Seconds from the start to the end of each phase. */
  const phases: Record<string, number> = {};
  const phaseDone = (name: string) => (phases[name] = Math.round((Date.now() - started) / 1000));
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-gateway-affinity-'));
  const collectors: ExtraCollector[] = [];
  let tap: SpanTap;
  let running: RunningServices | undefined;
  let gatewayMetrics: Record<string, string>;
  let outcomes: TraceOutcome[];

  beforeAll(async () => {
    const ports = await freePorts(14, 45100);
    const at = (port: number) => `127.0.0.1:${port}`;
    tap = await SpanTap.start();

    const gateway = (name: string, [grpc, http, health, metrics, prometheus]: number[]) =>
      startCollector('gateway', {
        name,
        healthEndpoint: at(health),
        env: {
          GATEWAY_NAME: name,
          GATEWAY_OTLP_GRPC_ENDPOINT: at(grpc),
          GATEWAY_OTLP_HTTP_ENDPOINT: at(http),
          GATEWAY_HEALTH_ENDPOINT: at(health),
          GATEWAY_METRICS_HOST: '127.0.0.1',
          GATEWAY_METRICS_PORT: String(metrics),
          GATEWAY_PROMETHEUS_ENDPOINT: at(prometheus),
          TAIL_SAMPLING_BASELINE_THRESHOLD: threshold,
          TAIL_SAMPLING_DECISION_WAIT: '2s',
          // Only errors and the baseline decide here: under load on a small machine, many orders would be "slow".
          TAIL_SAMPLING_SLOW_MS: '600000',
        },
      });
    const [a, b] = [ports.slice(0, 5), ports.slice(5, 10)];
    collectors.push(...(await Promise.all([gateway(GATEWAYS[0], a), gateway(GATEWAYS[1], b)])));
    gatewayMetrics = { [GATEWAYS[0]]: `http://${at(a[3])}`, [GATEWAYS[1]]: `http://${at(b[3])}` };

    // The resolver layer Helm renders with `dns`; the tap is a second traces pipeline from the same receiver.
    const resolver = join(dir, 'resolver.yaml');
    writeFileSync(
      resolver,
      stringify({ exporters: { 'loadbalancing/gateways': { resolver: { static: { hostnames: [at(a[0]), at(b[0])] } } } } }),
    );
    const tapLayer = join(dir, 'tap.yaml');
    writeFileSync(
      tapLayer,
      stringify({
        exporters: { 'otlp_http/tap': { traces_endpoint: tap.url, encoding: 'json', compression: 'none' } },
        service: { pipelines: { 'traces/tap': { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_http/tap'] } } },
      }),
    );
    const [grpc, http, health, metrics] = ports.slice(10);
    collectors.push(
      await startCollector('agent', {
        name: 'agent-affinity',
        configs: [collectorConfig('agent-loadbalancing.yaml'), resolver, tapLayer],
        healthEndpoint: at(health),
        env: {
          AGENT_NAME: 'agent-affinity',
          AGENT_OTLP_GRPC_ENDPOINT: at(grpc),
          AGENT_OTLP_HTTP_ENDPOINT: at(http),
          AGENT_HEALTH_ENDPOINT: at(health),
          AGENT_METRICS_HOST: '127.0.0.1',
          AGENT_METRICS_PORT: String(metrics),
          AGENT_QUEUE_DIR: join(dir, 'queue'),
          // Metrics and logs: one gateway address, as a Service in front of the gateways would be.
          GATEWAY_OTLP_ENDPOINT: at(a[0]),
        },
      }),
    );

    phaseDone('collectors ready');
    const serviceEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://${at(grpc)}`, PAYMENT_PROCESSOR_LATENCY_MS: '0' };
    running = await startServices({ 'user-service': serviceEnv, 'order-service': serviceEnv, 'payment-service': serviceEnv });
    phaseDone('services ready');
    const shop = shopClient(running);

    // Customers whose payment accounts are open, so no charge waits for one.
    const users = await Promise.all(Array.from({ length: 10 }, () => shop.customer()));

    phaseDone('customers ready');
    const limit = pLimit(16);
    const placed = await Promise.all(
      Array.from({ length: TRANSACTIONS }, (_, n) =>
        limit(() =>
          shop.placeOrder({
            userId: users[n % users.length].id,
            currency: 'EUR',
            items: [{ sku: `SKU-AFFINITY-${n % 7}`, quantity: 1, unitPriceMinor: 100 + (n % 50) }],
          }),
        ),
      ),
    );
    phaseDone('orders answered');
    expect(placed.filter((answer) => answer.status !== 201)).toEqual([]);
    const traceIds = placed.map((answer) => answer.traceId);

    // Every transaction through to its last hop at the agent, then nothing more arriving (settlement spans come last).
    await eventually(
      'every order confirmed, as the agent saw it',
      120,
      async () =>
        traceIds.every((id) => tap.traces.has(id) && hasSpan(tap.traces.get(id)!, TRANSACTION_SPANS[TRANSACTION_SPANS.length - 1])) ||
        undefined,
    );
    phaseDone('orders placed and confirmed');
    await eventually('the agent quiet for 3 s', 60, async () => Date.now() - tap.lastArrival > 3000 || undefined);
    // Every trace a gateway received decided, and what it kept handed to Jaeger.
    await eventually('both gateways decided every trace and sent what they kept', 60, async () => {
      for (const url of Object.values(gatewayMetrics)) {
        const received = await collectorCounter(url, 'otelcol_processor_tail_sampling_new_trace_id_received');
        const decided = await collectorCounter(url, 'otelcol_processor_tail_sampling_global_count_traces_sampled');
        const queued = await collectorCounter(url, 'otelcol_exporter_queue_size', { exporter: 'otlp_grpc/jaeger' });
        if (received === 0 || decided < received || queued > 0) return undefined;
      }
      return true;
    });

    phaseDone('gateways decided');
    // Jaeger until two reads in a row agree (the search engine refreshed before each).
    const reads = pLimit(16);
    let previous = '';
    outcomes = await eventually('Jaeger’s view of the transactions stable', 90, async () => {
      await fetch(`${endpoints.search}/tracehop-jaeger-span-*/_refresh`, { method: 'POST' });
      const read = await Promise.all(
        traceIds.map((traceId) => reads(async () => ({ traceId, tapped: tap.traces.get(traceId)!, ...(await storedSpans(traceId)) }))),
      );
      const signature = read.map((outcome) => outcome.stored.size).join();
      const stable = signature === previous;
      previous = signature;
      return stable ? read : undefined;
    });
    phaseDone('Jaeger read');
  }, 290_000);

  afterAll(async () => {
    await running?.stop();
    await Promise.all(collectors.map((collector) => collector.stop()));
    await tap?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const kept = () => outcomes.filter((o) => o.stored.size > 0);
  const isWhole = (o: TraceOutcome) => o.stored.size === o.tapped.size && [...o.tapped.keys()].every((id) => o.stored.has(id));

  it('prints the figures', async () => {
    const spans = outcomes.reduce((sum, o) => sum + o.tapped.size, 0);
    const perGateway = Object.fromEntries(
      await Promise.all(
        GATEWAYS.map(async (name) => {
          const url = gatewayMetrics[name];
          const stamped = kept().filter((o) => o.gateways.has(name));
          return [
            name,
            {
              keptTransactions: stamped.length,
              keptSpans: stamped.reduce((sum, o) => sum + o.stored.size, 0),
              tracesReceived: await collectorCounter(url, 'otelcol_processor_tail_sampling_new_trace_id_received'),
              tracesSampled: await collectorCounter(url, 'otelcol_processor_tail_sampling_global_count_traces_sampled', {
                sampled: 'true',
              }),
              tracesNotSampled: await collectorCounter(url, 'otelcol_processor_tail_sampling_global_count_traces_sampled', {
                sampled: 'false',
              }),
              spansReceived: await collectorCounter(url, 'otelcol_receiver_accepted_spans', { receiver: 'otlp' }),
            },
          ];
        }),
      ),
    );
    const figures = {
      transactions: TRANSACTIONS,
      transactionTraces: outcomes.length,
      transactionSpans: spans,
      spansPerTransaction: { min: Math.min(...outcomes.map((o) => o.tapped.size)), max: Math.max(...outcomes.map((o) => o.tapped.size)) },
      allTracesAtAgent: tap.traces.size,
      allSpansAtAgent: tap.spanCount,
      perGateway,
      keptWhole: kept().filter(isWhole).length,
      droppedWhole: outcomes.filter((o) => o.stored.size === 0).length,
      partial: kept().filter((o) => !isWhole(o)).length,
      split: kept().filter((o) => o.gateways.size !== 1 || o.gateways.has(undefined)).length,
      withErrorSpans: outcomes.filter((o) => [...o.tapped.values()].some((span) => span.error)).length,
      baselinePercent: BASELINE_PERCENT,
      phases,
    };
    console.log(`gateway affinity:\n${JSON.stringify(figures, null, 2)}`);
  });

  it('every transaction reached the agent whole: each trace holds every hop', () => {
    expect(outcomes).toHaveLength(TRANSACTIONS);
    const missing = outcomes.filter((o) => !TRANSACTION_SPANS.every((span) => hasSpan(o.tapped, span))).map((o) => o.traceId);
    expect(missing).toEqual([]);
  });

  it('every kept trace has all its spans at one gateway: none split', () => {
    expect(kept().length).toBeGreaterThan(0);
    const split = kept()
      .filter((o) => o.gateways.size !== 1 || o.gateways.has(undefined))
      .map((o) => ({ traceId: o.traceId, gateways: [...o.gateways] }));
    expect(split).toEqual([]);
  });

  it('each trace is kept whole (every span the agent received) or dropped whole', () => {
    const partial = kept()
      .filter((o) => !isWhole(o))
      .map((o) => ({ traceId: o.traceId, received: o.tapped.size, stored: o.stored.size }));
    expect(partial).toEqual([]);
  });

  it('both gateways got traces, about half each', async () => {
    // A consistent-hash ring of two gateways (100 points each) splits near, not exactly at, half.
    for (const name of GATEWAYS) {
      const keptShare = kept().filter((o) => o.gateways.has(name)).length / kept().length;
      const received = await collectorCounter(gatewayMetrics[name], 'otelcol_processor_tail_sampling_new_trace_id_received');
      expect({ name, keptShareAtLeastQuarter: keptShare >= 0.25, receivedAtLeastQuarter: received >= 0.25 * TRANSACTIONS }).toEqual({
        name,
        keptShareAtLeastQuarter: true,
        receivedAtLeastQuarter: true,
      });
    }
  });

  it('the baseline keeps about half of the error-free transactions, exactly those its threshold selects', () => {
    const errorFree = outcomes.filter((o) => ![...o.tapped.values()].some((span) => span.error));
    expect(errorFree.length).toBeGreaterThan(0.9 * TRANSACTIONS);
    const share = errorFree.filter((o) => o.stored.size > 0).length / errorFree.length;
    expect(Math.round(share * 100)).toBeGreaterThanOrEqual(40);
    expect(Math.round(share * 100)).toBeLessThanOrEqual(60);
    const disagree = errorFree.filter((o) => o.stored.size > 0 !== baselineKeeps(o.traceId)).map((o) => o.traceId);
    expect(disagree).toEqual([]);
  });
});
