import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diag, DiagLogLevel, SpanKind, SpanStatusCode, type DiagLogger } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { EachBatchPayload, EachMessagePayload, IHeaders } from 'kafkajs';
import { headerValues } from '../src/internal/kafka/header-values';
import { processBatchMessage } from '../src/kafka/process-batch-message';
import { consumedMessage, instrumentedStandIn } from './kafka-stand-in';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const spanIdOf = (n: number) => (n + 1).toString(16).padStart(16, '0');
const traceparentOf = (span: ReadableSpan) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;
const sentTraceparent = (headers: IHeaders | undefined) => headerValues(headers, 'traceparent');

const setup = instrumentedStandIn();
const { exporter, instrumentation } = setup;
const finished = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

beforeEach(() => exporter.reset());
afterEach(() => instrumentation.setConfig({ hopMode: 'child' }));

/** Runs one record through an instrumented consumer's eachMessage. */
async function consume(handler: () => Promise<unknown>, groupId = 'group-a') {
  const consumer = setup.consumer(groupId);
  await consumer.run({
    eachMessage: async () => {
      await handler();
    },
  });
  await consumer.runConfig!.eachMessage!({ topic: 'orders', partition: 0, message: consumedMessage(7) } as EachMessagePayload);
}

/** Runs a batch through an instrumented consumer's eachBatch, each record through processBatchMessage. */
async function consumeBatch(messages: ReturnType<typeof consumedMessage>[], groupId = 'group-a') {
  const consumer = setup.consumer(groupId);
  await consumer.run({
    eachBatch: async ({ batch }) => {
      for (const message of batch.messages) await processBatchMessage(batch, message, async () => undefined);
    },
  });
  await consumer.runConfig!.eachBatch!({ batch: { topic: 'orders', partition: 0, messages } } as unknown as EachBatchPayload);
}

describe('transactional sends', () => {
  it("traces a transaction's send and sendBatch exactly like plain ones: one send span per message, its traceparent on the record", async () => {
    const producer = setup.producer();
    const transaction = await producer.transaction();
    await transaction.send({ topic: 'orders', messages: [{ value: 'a' }] });
    await transaction.sendBatch({ topicMessages: [{ topic: 'payments', messages: [{ value: 'b' }] }] });
    await transaction.commit();

    const [order] = finished('send orders');
    const [payment] = finished('send payments');
    expect([order?.kind, payment?.kind]).toEqual([SpanKind.PRODUCER, SpanKind.PRODUCER]);
    expect(order.attributes).toMatchObject({ 'messaging.operation.type': 'send', 'messaging.kafka.offset': 0 });
    expect(sentTraceparent(producer.sent[0].messages[0].headers)).toEqual([traceparentOf(order)]);
    expect(sentTraceparent(producer.batches[0].topicMessages![0].messages[0].headers)).toEqual([traceparentOf(payment)]);
    expect(producer.transactionCalls).toEqual(['commit']);
  });
});

describe('server.address and server.port', () => {
  it('send, process and poll spans carry the first broker the client was configured with', async () => {
    await setup.producer().send({ topic: 'orders', messages: [{ value: 'a' }] });
    await consume(async () => undefined);
    await consumeBatch([consumedMessage(1)]);
    for (const name of ['send orders', 'process orders', 'poll orders'])
      expect({ name, ...finished(name)[0]?.attributes }).toMatchObject({
        name,
        'server.address': 'kafka-1.internal',
        'server.port': 9092,
      });
  });

  it('reads a bracketed IPv6 broker', async () => {
    await setup.producer({ brokers: ['[::1]:19092'] }).send({ topic: 'orders', messages: [{ value: 'a' }] });
    expect(finished('send orders')[0].attributes).toMatchObject({ 'server.address': '::1', 'server.port': 19092 });
  });

  it('leaves them out when brokers are discovered by a function', async () => {
    await setup.producer({ brokers: async () => ['kafka-1.internal:9092'] }).send({ topic: 'orders', messages: [{ value: 'a' }] });
    const { attributes } = finished('send orders')[0];
    expect([attributes['server.address'], attributes['server.port']]).toEqual([undefined, undefined]);
  });
});

describe('kafka.cluster.id', () => {
  it("is on spans of the client's producers and consumers once an admin of the same client has described the cluster", async () => {
    const kafka = setup.kafka();
    const producer = kafka.producer() as unknown as ReturnType<typeof setup.producer>;
    await producer.send({ topic: 'orders', messages: [{ value: 'before' }] });
    await (kafka.admin() as unknown as { describeCluster(): Promise<{ clusterId: string }> }).describeCluster();
    await producer.send({ topic: 'orders', messages: [{ value: 'after' }] });
    expect(finished('send orders').map((span) => span.attributes['kafka.cluster.id'])).toEqual([undefined, 'MkU3OEVBNTcwNTJENDM2Qk']);
  });
});

describe('poll span links', () => {
  const batchOf = (count: number) =>
    Array.from({ length: count }, (_, i) => consumedMessage(i, { traceparent: `00-${TRACE_ID}-${spanIdOf(i)}-01` }));

  it('links to at most 128 producers, the first of the batch, and counts the ones left out', async () => {
    await consumeBatch(batchOf(200));
    const [poll] = finished('poll orders');
    expect(poll.links).toHaveLength(128);
    expect(poll.links[0].context.spanId).toBe(spanIdOf(0));
    expect(poll.droppedLinksCount).toBe(0);
    expect(poll.attributes['tracehop.links.omitted_count']).toBe(72);
    expect(poll.attributes['messaging.batch.message_count']).toBe(200);
  });

  it('follows OTEL_SPAN_LINK_COUNT_LIMIT, the SDK link limit', async () => {
    process.env.OTEL_SPAN_LINK_COUNT_LIMIT = '10';
    try {
      await consumeBatch(batchOf(12));
    } finally {
      delete process.env.OTEL_SPAN_LINK_COUNT_LIMIT;
    }
    const [poll] = finished('poll orders');
    expect([poll.links.length, poll.attributes['tracehop.links.omitted_count']]).toEqual([10, 2]);
  });

  it('sets no count when every producer is linked', async () => {
    await consumeBatch(batchOf(3));
    expect(finished('poll orders')[0].attributes['tracehop.links.omitted_count']).toBeUndefined();
  });
});

describe('error.type', () => {
  it.each([
    ['the class name of an Error', new TypeError('bad'), 'TypeError'],
    ['_OTHER for a thrown string', 'bad', '_OTHER'],
    ['_OTHER for a thrown plain object', { code: 42 }, '_OTHER'],
    ['the name of an Error whose class has none', new (class extends Error {})('bad'), 'Error'],
  ])('is %s', async (_, thrown, expected) => {
    await expect(consume(() => Promise.reject(thrown))).rejects.toBe(thrown);
    const [process] = finished('process orders');
    expect([process.attributes['error.type'], process.status.code]).toEqual([expected, SpanStatusCode.ERROR]);
  });
});

describe('hooks', () => {
  const diagErrors = jest.fn();
  beforeAll(() => {
    const logger: DiagLogger = { error: diagErrors, warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} };
    diag.setLogger(logger, DiagLogLevel.ERROR);
  });
  afterAll(() => diag.disable());
  beforeEach(() => diagErrors.mockReset());

  it('producerHook sees each send span with its topic and the message as sent', async () => {
    const seen: unknown[] = [];
    instrumentation.setConfig({
      hopMode: 'child',
      producerHook: (span, { topic, message }) => {
        span.setAttribute('app.tenant', String(message.headers?.tenant));
        seen.push([topic, message.value, sentTraceparent(message.headers).length]);
      },
    });
    const producer = setup.producer();
    await producer.send({ topic: 'orders', messages: [{ value: 'a', headers: { tenant: 'acme' } }] });
    expect(seen).toEqual([['orders', 'a', 1]]);
    expect(finished('send orders')[0].attributes['app.tenant']).toBe('acme');
  });

  it('consumerHook sees each process span with its topic and record, in eachMessage and processBatchMessage', async () => {
    const seen: unknown[] = [];
    instrumentation.setConfig({
      hopMode: 'child',
      consumerHook: (span, { topic, message }) => {
        span.setAttribute('app.offset', message.offset);
        seen.push([topic, message.offset]);
      },
    });
    await consume(async () => undefined);
    await consumeBatch([consumedMessage(3)]);
    expect(seen).toEqual([
      ['orders', '7'],
      ['orders', '3'],
    ]);
    expect(finished('process orders').map((s) => s.attributes['app.offset'])).toEqual(['7', '3']);
    expect(finished('poll orders')[0].attributes['app.offset']).toBeUndefined();
  });

  it('a throwing hook is reported with diag; the send and the handler go on as if it were not there', async () => {
    const hookError = new Error('hook bug');
    instrumentation.setConfig({
      hopMode: 'child',
      producerHook: () => {
        throw hookError;
      },
      consumerHook: () => {
        throw hookError;
      },
    });
    const producer = setup.producer();
    await expect(producer.send({ topic: 'orders', messages: [{ value: 'a' }] })).resolves.toHaveLength(1);
    const handled = jest.fn(async () => undefined);
    await consume(handled);
    expect(handled).toHaveBeenCalledTimes(1);
    expect(sentTraceparent(producer.sent[0].messages[0].headers)).toHaveLength(1);
    expect(finished('send orders')[0].status.code).toBe(SpanStatusCode.UNSET);
    expect(finished('process orders')[0].status.code).toBe(SpanStatusCode.UNSET);
    expect(diagErrors.mock.calls.map(([message]) => message)).toEqual([
      expect.stringContaining('producerHook'),
      expect.stringContaining('consumerHook'),
    ]);
  });
});

describe('identity', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '../package.json'), 'utf8')) as {
    version: string;
    peerDependencies: Record<string, string>;
  };

  it("reports the package's version and patches exactly the kafkajs range the package declares as peer dependency", () => {
    expect(instrumentation.instrumentationName).toBe('@tracehop/telemetry/kafkajs');
    expect(instrumentation.instrumentationVersion).toBe(pkg.version);
    expect(instrumentation.getModuleDefinitions().map((d) => [d.name, d.supportedVersions])).toEqual([
      ['kafkajs', [pkg.peerDependencies.kafkajs]],
    ]);
  });
});
