import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
// The module object itself (not a TypeScript namespace copy), so the patch reaches every user.
import kafkajs = require('kafkajs');
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { withTopics } from '../../../test/support/kafka-topics';
import { headerValues } from '../src/internal/kafka/header-values';
import { TracehopKafkaJsInstrumentation } from '../src/kafka/kafkajs-instrumentation';
import { messageInContext } from '../src/kafka/message-context';
import { processBatchMessage } from '../src/kafka/process-batch-message';
import { republish } from '../src/kafka/republish';
import type { HopMode } from '../src/types';

/** In-process producer and consumer against the stack's real broker; spans collected in memory. */
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const instrumentation = new TracehopKafkaJsInstrumentation({ messageKeySalt: 'test-salt' });
/** Collects on demand, cumulative: what the process recorded so far. */
class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}
const metricReader = new TestMetricReader();
const meterProvider = new MeterProvider({ readers: [metricReader] });

/** Data points of a metric whose messaging.destination.name is the topic. */
async function pointsFor(metric: string, topic: string): Promise<DataPoint<number | Histogram>[]> {
  const { resourceMetrics } = await metricReader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((m) => m.descriptor.name === metric)
    .flatMap((m) => m.dataPoints as DataPoint<number | Histogram>[])
    .filter((p) => p.attributes['messaging.destination.name'] === topic);
}
const rawKafka = new kafkajs.Kafka({ clientId: 'raw-producer', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
// Created before patching: this producer sends exactly the headers it is given.
const rawProducer = rawKafka.producer();

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  instrumentation.setTracerProvider(provider);
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.patch(kafkajs); // Jest bypasses require hooks: apply the patch to the loaded module
  await rawProducer.connect();
});

afterAll(async () => {
  await rawProducer.disconnect();
  instrumentation.unpatch(kafkajs);
  context.disable();
});

beforeEach(() => exporter.reset());

interface Received {
  headers: kafkajs.IHeaders;
  activeTraceId?: string;
}

/** Sends with the instrumented producer (or the raw one), consumes one record with the given hop mode. */
async function roundTrip(options: {
  hopMode: HopMode;
  message: kafkajs.Message;
  raw?: boolean;
  /** Per-group override for this round trip's consumer group. */
  groupHopMode?: HopMode;
}): Promise<{ topic: string; received: Received }> {
  const topic = `telemetry-${options.hopMode.replace('+', '-')}-${randomUUID()}`;
  instrumentation.setConfig({
    ...instrumentation.getConfig(),
    hopMode: options.hopMode,
    hopModeByGroup: options.groupHopMode ? { [`${topic}-group`]: options.groupHopMode } : {},
  });
  const kafka = new kafkajs.Kafka({ clientId: 'tracing-test', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  return withTopics(kafka, [topic], async () => {
    try {
      await Promise.all([producer.connect(), consumer.connect()]);
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = new Promise<Received>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ headers: message.headers ?? {}, activeTraceId: trace.getActiveSpan()?.spanContext().traceId }),
        });
      });
      await (options.raw ? rawProducer : producer).send({ topic, messages: [options.message] });
      return { topic, received: await received };
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
}

const spanNamed = (name: string) => eventually(`span ${name}`, 10, async () => exporter.getFinishedSpans().find((s) => s.name === name));
const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('kafkajs tracing against the real broker', () => {
  it('child mode: process is a child of send in one trace, with semantic-convention attributes and the key hashed', async () => {
    const message = { key: 'user-42', value: 'hello', headers: { 'x-request': 'r1' } };
    const { topic, received } = await roundTrip({ hopMode: 'child', message });
    const send = await spanNamed(`send ${topic}`);
    const process = await spanNamed(`process ${topic}`);

    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.spanContext().traceId).toBe(send.spanContext().traceId);
    expect(parentId(process)).toBe(send.spanContext().spanId);
    expect(received.activeTraceId).toBe(send.spanContext().traceId);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.client.id': 'tracing-test',
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
    });
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': topic,
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': `${topic}-group`,
      'messaging.client.id': 'tracing-test',
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
      'tracehop.kafka.hop_mode': 'child',
    });
    for (const span of [send, process]) {
      expect(span.attributes['messaging.kafka.message.key']).toMatch(/^sha256:[0-9a-f]{32}$/);
      expect(JSON.stringify(span.attributes)).not.toContain('user-42');
    }
    // The caller's message object is untouched; the record on the wire carries one traceparent.
    expect(message.headers).toEqual({ 'x-request': 'r1' });
    expect(headerValues(received.headers, 'traceparent')).toHaveLength(1);
    expect(headerValues(received.headers, 'x-request')).toEqual(['r1']);

    // The messaging conventions' client metrics, with end-to-end latency from the produced-at header.
    const destination = { 'messaging.system': 'kafka', 'messaging.destination.name': topic };
    const server = { 'server.address': expect.any(String), 'server.port': expect.any(Number) };
    expect((await pointsFor('messaging.client.sent.messages', topic)).map((p) => [p.attributes, p.value])).toEqual([
      [{ ...destination, ...server, 'messaging.operation.name': 'send' }, 1],
    ]);
    const consumer = {
      ...destination,
      ...server,
      'messaging.consumer.group.name': `${topic}-group`,
      'messaging.destination.partition.id': '0',
    };
    expect((await pointsFor('messaging.client.consumed.messages', topic)).map((p) => [p.attributes, p.value])).toEqual([
      [{ ...consumer, 'messaging.operation.name': 'process' }, 1],
    ]);
    const processed = await pointsFor('messaging.process.duration', topic);
    expect(processed.map((p) => [p.attributes, (p.value as Histogram).count])).toEqual([
      [{ ...consumer, 'messaging.operation.name': 'process' }, 1],
    ]);
    expect((await pointsFor('messaging.client.operation.duration', topic)).map((p) => (p.value as Histogram).count)).toEqual([1]);
    const latency = (await pointsFor('tracehop.messaging.produce_to_process.duration', topic))[0].value as Histogram;
    expect(latency.count).toBe(1);
    expect(latency.sum).toBeGreaterThanOrEqual(0);
    expect(latency.sum).toBeLessThan(30);
  });

  it('link mode: process starts a new trace that links to the send span', async () => {
    const { topic } = await roundTrip({ hopMode: 'link', message: { value: 'hello' } });
    const send = await spanNamed(`send ${topic}`);
    const process = await spanNamed(`process ${topic}`);
    expect(process.spanContext().traceId).not.toBe(send.spanContext().traceId);
    expect(parentId(process)).toBeUndefined();
    expect(process.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
  });

  it('a per-group hop mode overrides the process-wide one', async () => {
    const { topic } = await roundTrip({ hopMode: 'child', groupHopMode: 'link', message: { value: 'hello' } });
    const send = await spanNamed(`send ${topic}`);
    const process = await spanNamed(`process ${topic}`);
    expect(process.attributes['tracehop.kafka.hop_mode']).toBe('link');
    expect(parentId(process)).toBeUndefined();
    expect(process.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
  });

  it('child+link mode: child of send and linked to it', async () => {
    const { topic } = await roundTrip({ hopMode: 'child+link', message: { value: 'hello' } });
    const send = await spanNamed(`send ${topic}`);
    const process = await spanNamed(`process ${topic}`);
    expect(parentId(process)).toBe(send.spanContext().spanId);
    expect(process.links.map((l) => l.context.spanId)).toEqual([send.spanContext().spanId]);
  });

  it('replaces a traceparent the caller already set instead of sending two', async () => {
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    const { topic, received } = await roundTrip({ hopMode: 'child', message: { value: 'x', headers: { traceparent: stale } } });
    const send = await spanNamed(`send ${topic}`);
    expect(headerValues(received.headers, 'traceparent')).toEqual([`00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`]);
  });

  it('messageInContext: one sendBatch carries messages of different traces, each sent under its own parent', async () => {
    const topic = `telemetry-in-context-${randomUUID()}`;
    const tracer = provider.getTracer('test');
    const parents = [tracer.startSpan('request a', {}, ROOT_CONTEXT), tracer.startSpan('request b', {}, ROOT_CONTEXT)];
    const kafka = new kafkajs.Kafka({ clientId: 'tracing-test', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await withTopics(kafka, [topic], async () => {
      await producer.connect();
      try {
        const messages = parents.map((parent, i) => messageInContext({ value: `row ${i}` }, trace.setSpan(ROOT_CONTEXT, parent)));
        await producer.sendBatch({ topicMessages: [{ topic, messages }] });
      } finally {
        await producer.disconnect();
      }
    });
    const sends = await eventually('two send spans', 10, async () => {
      const found = exporter.getFinishedSpans().filter((s) => s.name === `send ${topic}`);
      return found.length === 2 ? found : undefined;
    });
    expect(sends.map((s) => [s.spanContext().traceId, parentId(s)])).toEqual(
      parents.map((p) => [p.spanContext().traceId, p.spanContext().spanId]),
    );
    parents.forEach((p) => p.end());
  });

  it("transactional sends: a transaction's send gets its send span and traceparent, and the consumer continues the trace", async () => {
    instrumentation.setConfig({ ...instrumentation.getConfig(), hopMode: 'child' });
    const topic = `telemetry-transaction-${randomUUID()}`;
    const kafka = new kafkajs.Kafka({
      clientId: 'transaction-test',
      brokers: kafkaBrokers().split(','),
      logLevel: kafkajs.logLevel.NOTHING,
    });
    const producer = kafka.producer({ transactionalId: `${topic}-producer`, idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    const received = await withTopics(kafka, [topic], async () => {
      try {
        await Promise.all([producer.connect(), consumer.connect()]);
        await consumer.subscribe({ topic, fromBeginning: true });
        const consumed = new Promise<Received>((resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) =>
              resolve({ headers: message.headers ?? {}, activeTraceId: trace.getActiveSpan()?.spanContext().traceId }),
          });
        });
        const transaction = await producer.transaction();
        await transaction.send({ topic, messages: [{ value: 'in a transaction' }] });
        await transaction.commit();
        return await consumed;
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
      }
    });
    const send = await spanNamed(`send ${topic}`);
    const process = await spanNamed(`process ${topic}`);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(headerValues(received.headers, 'traceparent')).toEqual([`00-${send.spanContext().traceId}-${send.spanContext().spanId}-01`]);
    expect(parentId(process)).toBe(send.spanContext().spanId);
    expect(received.activeTraceId).toBe(send.spanContext().traceId);
  });

  it('a malformed traceparent still gets processed, under a new trace marked as broken', async () => {
    const { topic, received } = await roundTrip({
      hopMode: 'child',
      raw: true,
      message: { value: 'x', headers: { traceparent: 'not-a-traceparent' } },
    });
    const process = await spanNamed(`process ${topic}`);
    expect(parentId(process)).toBeUndefined();
    expect(process.attributes['tracehop.propagation.broken']).toBe('malformed_traceparent');
    expect(received.activeTraceId).toBe(process.spanContext().traceId);
  });

  it('a duplicated traceparent is resolved to its last valid value and counted', async () => {
    const first = '00-11111111111111111111111111111111-2222222222222222-01';
    const second = '00-33333333333333333333333333333333-4444444444444444-01';
    const { topic } = await roundTrip({ hopMode: 'child', raw: true, message: { value: 'x', headers: { traceparent: [first, second] } } });
    const process = await spanNamed(`process ${topic}`);
    expect(process.spanContext().traceId).toBe('33333333333333333333333333333333');
    expect(process.attributes['tracehop.propagation.traceparent_count']).toBe(2);
  });

  it('eachBatch: a poll span links to every producer; each message is processed in its own process span, placed by hop mode', async () => {
    instrumentation.setConfig({ ...instrumentation.getConfig(), hopMode: 'child' });
    const topic = `telemetry-batch-${randomUUID()}`;
    const kafka = new kafkajs.Kafka({ clientId: 'batch-test', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    const activeDuringWork: string[] = [];
    await withTopics(kafka, [topic], async () => {
      try {
        await producer.connect();
        for (const value of ['a', 'b', 'c']) await producer.send({ topic, messages: [{ value }] });
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((done) => {
          void consumer.run({
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                await processBatchMessage(batch, message, async () => {
                  activeDuringWork.push(trace.getActiveSpan()!.spanContext().spanId);
                });
              }
              if (activeDuringWork.length >= 3) done();
            },
          });
        });
      } finally {
        await consumer.disconnect();
        await producer.disconnect();
      }
    });
    await spanNamed(`poll ${topic}`);
    // Usually one batch; the broker may split the three records into more, so assert over all polls.
    const polls = exporter.getFinishedSpans().filter((s) => s.name === `poll ${topic}`);
    const sends = exporter.getFinishedSpans().filter((s) => s.name === `send ${topic}`);
    const processes = exporter.getFinishedSpans().filter((s) => s.name === `process ${topic}`);
    expect(sends).toHaveLength(3);
    expect(processes).toHaveLength(3);
    for (const poll of polls)
      expect({ kind: poll.kind, links: poll.links.length }).toEqual({
        kind: SpanKind.CLIENT,
        links: poll.attributes['messaging.batch.message_count'],
      });
    expect(polls.flatMap((p) => p.links.map((l) => l.context.spanId)).sort()).toEqual(sends.map((s) => s.spanContext().spanId).sort());
    const pollIds = polls.map((p) => p.spanContext().spanId);
    for (const process of processes) {
      expect(sends.map((s) => s.spanContext().spanId)).toContain(parentId(process));
      expect(process.links.some((l) => pollIds.includes(l.context.spanId))).toBe(true);
    }
    expect(activeDuringWork.sort()).toEqual(processes.map((p) => p.spanContext().spanId).sort());
  });

  it('dead-letter: a failed record is republished with fresh context, attempt and origin headers, and links to its origin', async () => {
    instrumentation.setConfig({ ...instrumentation.getConfig(), hopMode: 'child' });
    const topic = `telemetry-dlq-${randomUUID()}`;
    const deadLetters = `${topic}.dlq`;
    const kafka = new kafkajs.Kafka({ clientId: 'dlq-test', brokers: kafkaBrokers().split(','), logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `${topic}-group` });
    const dlqConsumer = kafka.consumer({ groupId: `${deadLetters}-group` });
    await withTopics(kafka, [topic, deadLetters], async () => {
      try {
        await Promise.all([producer.connect(), consumer.connect(), dlqConsumer.connect()]);
        await consumer.subscribe({ topic, fromBeginning: true });
        await dlqConsumer.subscribe({ topic: deadLetters, fromBeginning: true });
        void consumer.run({
          eachMessage: async ({ topic: from, partition, message }) => {
            // A poison record: the handler gives up on it and parks it, then moves on.
            await republish(producer, { topic: from, partition, message }, deadLetters, new Error('schema invalid: amount'));
          },
        });
        const parked = new Promise<kafkajs.IHeaders>((resolve) => {
          void dlqConsumer.run({ eachMessage: async ({ message }) => resolve(message.headers ?? {}) });
        });
        await producer.send({ topic, messages: [{ key: 'k', value: 'not json', headers: { 'x-request': 'r1' } }] });
        const headers = await parked;
        expect(headerValues(headers, 'tracehop-attempt')).toEqual(['1']);
        expect(headerValues(headers, 'tracehop-original-topic')).toEqual([topic]);
        expect(headerValues(headers, 'tracehop-original-partition')).toEqual(['0']);
        expect(headerValues(headers, 'tracehop-original-offset')).toEqual(['0']);
        expect(headerValues(headers, 'tracehop-error')).toEqual(['schema invalid: amount']);
        expect(headerValues(headers, 'x-request')).toEqual(['r1']);
        expect(headerValues(headers, 'traceparent')).toHaveLength(1);
      } finally {
        await Promise.all([consumer.disconnect(), dlqConsumer.disconnect()]);
        await producer.disconnect();
      }
    });
    const originalSend = await spanNamed(`send ${topic}`);
    const failedProcess = await spanNamed(`process ${topic}`);
    const parkSend = await spanNamed(`send ${deadLetters}`);
    const dlqProcess = await spanNamed(`process ${deadLetters}`);
    // Fresh context: the republish is sent from inside the failing process span, the trace goes on.
    expect(parentId(parkSend)).toBe(failedProcess.spanContext().spanId);
    expect(parentId(dlqProcess)).toBe(parkSend.spanContext().spanId);
    // ...and both the republish and the dead-letter processing link to the record's origin.
    for (const span of [parkSend, dlqProcess]) {
      expect(span.links.map((l) => l.context.spanId)).toContain(originalSend.spanContext().spanId);
    }
  });
});
