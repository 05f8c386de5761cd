import { randomUUID } from 'node:crypto';
import { context, propagation, SpanStatusCode, trace, TraceFlags, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
// The module object itself, so the instrumentation's patch reaches every user (as in kafka-tracing.e2e-spec.ts).
import kafkajs = require('kafkajs');
import { endpoints, type JaegerTrace } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { withTopics } from '../../../test/support/kafka-topics';
import { samplerFromEnv } from '../src/internal/sampler-from-env';
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';

/**
 * Link-mode sampling at 10 % against the real stack: 1,000 transactions, each a root span that sends
 * to `orders`, a link-mode consumer that processes it and sends on to `payments`, and a second
 * link-mode consumer, i.e. three traces per transaction. Exported over OTLP to the agent, through the
 * gateway, read back from Jaeger: every kept transaction is there whole, no other trace is, and
 * about 10 % are kept.
 */
const TRANSACTIONS = 1_000;
const run = randomUUID().slice(0, 8);
const serviceName = `sampling-links-${run}`;
const orders = `sampling-orders-${run}`;
const payments = `sampling-payments-${run}`;

const provider = new TracerProvider({
  resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'tracehop-tests' }),
  sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
  spanProcessors: [
    new BatchSpanProcessor({
      exporter: new OTLPTraceExporter({ url: `http://${endpoints.agentGrpc}` }),
      maxQueueSize: 8192,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 200,
    }),
  ],
});
const tracer = provider.getTracer('sampling-e2e');
const instrumentation = new TracehopKafkaJsInstrumentation({ hopMode: 'link' });

/**
 * The gateway keeps every trace with an error, then a baseline share (infra/collector/gateway.yaml,
 * TAIL_SAMPLING_BASELINE_PERCENT; consistent too, checked by the chaos suite's
 * link-tail-sampling-10pct). Each hop's trace carries one span marked ERROR so the gateway keeps
 * whatever head sampling kept, whatever its baseline, and the test measures head sampling alone.
 */
function keptByTheGateway<T>(name: string, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, async (span) => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'marked for the gateway keep-errors policy' });
    try {
      return await work();
    } finally {
      span.end();
    }
  });
}

interface Hops {
  root?: SpanContext;
  relay?: SpanContext;
  sink?: SpanContext;
}
const isSampled = (spanContext?: SpanContext) =>
  spanContext !== undefined && (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
const activeSpanContext = () => trace.getActiveSpan()?.spanContext();

/** Every trace Jaeger holds for the service, by trace id (with the span names in it). */
async function tracesInJaeger(): Promise<Map<string, string[]>> {
  const query = new URLSearchParams({ service: serviceName, lookback: '1h', limit: String(TRANSACTIONS * 3) });
  const body = (await (await fetch(`${endpoints.jaeger}/api/traces?${query}`)).json()) as { data?: JaegerTrace[] };
  return new Map((body.data ?? []).map((t) => [t.traceID, t.spans.map((s) => s.operationName).sort()]));
}

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  instrumentation.setTracerProvider(provider);
  instrumentation.patch(kafkajs); // Jest bypasses require hooks: apply the patch to the loaded module
});

afterAll(async () => {
  instrumentation.unpatch(kafkajs);
  await provider.shutdown();
  context.disable();
});

describe('consistent sampling across links at 10 %, read back from Jaeger (real broker, agent, gateway)', () => {
  it(`keeps each of ${TRANSACTIONS} link-mode transactions whole or not at all, about 10 % of them`, async () => {
    const kafka = new kafkajs.Kafka({ clientId: 'sampling-e2e', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    const relay = kafka.consumer({ groupId: `${orders}-relay` });
    const sink = kafka.consumer({ groupId: `${payments}-sink` });
    const hops = new Map<string, Hops>();
    const hopsOf = (id: string) => hops.get(id) ?? hops.set(id, {}).get(id)!;

    await withTopics(kafka, [orders, payments], async () => {
      try {
        await Promise.all([producer.connect(), relay.connect(), sink.connect()]);
        await relay.subscribe({ topic: orders, fromBeginning: true });
        await sink.subscribe({ topic: payments, fromBeginning: true });
        let sunk = 0;
        const allSunk = new Promise<void>((resolve) => {
          void sink.run({
            eachMessage: async ({ message }) => {
              await keptByTheGateway('record payment', async () => undefined);
              hopsOf(String(message.value)).sink = activeSpanContext();
              if (++sunk === TRANSACTIONS) resolve();
            },
          });
        });
        void relay.run({
          eachMessage: async ({ message }) => {
            hopsOf(String(message.value)).relay = activeSpanContext();
            await keptByTheGateway('relay order', () => producer.send({ topic: payments, messages: [{ value: message.value }] }));
          },
        });

        const ids = Array.from({ length: TRANSACTIONS }, (_, i) => `${run}-${i}`);
        for (let i = 0; i < ids.length; i += 50) {
          await Promise.all(
            ids.slice(i, i + 50).map((id) =>
              keptByTheGateway('place order', async () => {
                hopsOf(id).root = activeSpanContext();
                await producer.send({ topic: orders, messages: [{ value: id }] });
              }),
            ),
          );
        }
        await allSunk;
      } finally {
        await Promise.all([relay.disconnect(), sink.disconnect(), producer.disconnect()]);
      }
    });
    await provider.forceFlush();

    // Head sampling: each transaction's three traces share one decision.
    const transactions = [...hops.values()];
    expect(transactions).toHaveLength(TRANSACTIONS);
    const decisions = transactions.map((t) => [t.root, t.relay, t.sink].map(isSampled));
    expect({ partial: decisions.filter((d) => new Set(d).size > 1).length }).toEqual({ partial: 0 });
    const kept = transactions.filter((t) => isSampled(t.root));
    // Binomial(1000, 0.1): mean 100, standard deviation 9.5; the bound is over 5 deviations each side.
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.length).toBeLessThan(150);

    // Jaeger holds exactly the kept transactions' traces, each with all its spans, and no other trace.
    const expected = new Map(
      kept.flatMap((t) => [
        [t.root!.traceId, ['place order', `send ${orders}`].sort()],
        [t.relay!.traceId, ['relay order', `process ${orders}`, `send ${payments}`].sort()],
        [t.sink!.traceId, ['record payment', `process ${payments}`].sort()],
      ]),
    );
    const stored = await eventually(`${expected.size} whole traces of ${serviceName} in Jaeger`, 60, async () => {
      const found = await tracesInJaeger();
      const complete = [...expected].every(([id, names]) => JSON.stringify(found.get(id)) === JSON.stringify(names));
      return complete ? found : undefined;
    });
    expect([...stored.keys()].filter((id) => !expected.has(id))).toEqual([]);
  });
});
