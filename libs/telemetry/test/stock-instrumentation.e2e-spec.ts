import { randomUUID } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { KafkaJsInstrumentation } from '@opentelemetry/instrumentation-kafkajs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
// The module object itself, so the patches reach every user.
import kafkajs = require('kafkajs');
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { withTopics } from '../../../test/support/kafka-topics';
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';

/**
 * Why tracehop ships its own kafkajs instrumentation (docs/telemetry.md, design notes), shown
 * against the real broker: the stock @opentelemetry/instrumentation-kafkajs writes into the
 * caller's message objects and replaces a traceparent the caller set; tracehop's sends copies.
 */
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: new InMemorySpanExporter() })] });
const EXISTING = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** Sends two messages (one without headers, one with its own traceparent) inside a span; returns them as the caller sees them afterwards. */
async function sendThrough(patch: () => void, unpatch: () => void): Promise<kafkajs.Message[]> {
  patch();
  const topic = `stock-vs-tracehop-${randomUUID()}`;
  const kafka = new kafkajs.Kafka({ clientId: 'comparison', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  const messages: kafkajs.Message[] = [{ value: 'plain' }, { value: 'own context', headers: { traceparent: EXISTING } }];
  try {
    await withTopics(kafka, [topic], async () => {
      await producer.connect();
      await provider.getTracer('comparison').startActiveSpan('request', async (span) => {
        await producer.send({ topic, messages });
        span.end();
      });
    });
    return messages;
  } finally {
    await producer.disconnect();
    unpatch();
  }
}

describe('stock @opentelemetry/instrumentation-kafkajs vs tracehop’s', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });

  afterAll(() => context.disable());

  it('stock: the caller’s message objects gain headers, and a traceparent they carried is replaced', async () => {
    const stock = new KafkaJsInstrumentation();
    stock.setTracerProvider(provider);
    // Jest bypasses require hooks: apply the module patch by hand, as the SDK's hook would.
    const [definition] = stock.getModuleDefinitions();
    const [plain, own] = await sendThrough(
      () => definition.patch!(kafkajs, '2.2.4'),
      () => definition.unpatch!(kafkajs, '2.2.4'),
    );
    expect(plain.headers?.traceparent).toBeDefined();
    expect(String(own.headers?.traceparent)).not.toBe(EXISTING);
  });

  it('tracehop: the caller’s message objects stay as they were', async () => {
    const ours = new TracehopKafkaJsInstrumentation();
    ours.setTracerProvider(provider);
    const [plain, own] = await sendThrough(
      () => ours.patch(kafkajs),
      () => ours.unpatch(kafkajs),
    );
    expect(plain.headers).toBeUndefined();
    expect(own.headers).toEqual({ traceparent: EXISTING });
  });
});
