import { randomUUID } from 'node:crypto';
import { context, propagation, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { plainToInstance } from 'class-transformer';
import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type Message,
  type ProducerBatch,
} from 'kafkajs';
import winston from 'winston';
import { TOPICS, UserRegisteredV1 } from '../../contracts/src';
// The context the instrumentation will send each message in (messageInContext's record of it).
import { sendContextOf } from '../../telemetry/src/internal/kafka/send-contexts';
import { loadServiceConfig } from '../src/config/service-config';
import type { KitTables } from '../src/database/kit-tables';
import type { KafkaClients } from '../src/kafka/kafka-clients';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { enqueueEvent } from '../src/outbox/outbox-writer';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

// --- helpers -------------------------------------------------------------------------------------

const config = loadServiceConfig('outbox-relay-spec', { port: 3999, database: 'unused' }, {}, {});
const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });

const spans = new InMemorySpanExporter();
const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer('outbox-relay-spec');

interface Sent {
  topic: string;
  message: Message;
  /** The context an instrumented producer sends the message in (its own, else the active one). */
  active: SpanContext | undefined;
  suppressed: boolean;
}

/**
 * A producer that records every message of every sendBatch and the context it would be sent in.
 * It injects the failures the real broker (outbox-delivery.e2e-spec.ts) cannot produce on demand:
 * `failOn(n)` makes the n-th sendBatch from now (1-based) fail as kafkajs does when the broker is
 * unreachable (retries exhausted on a connection error); a batch larger than `maxMessagesPerBatch`
 * is refused as MESSAGE_TOO_LARGE; a batch holding a message `refuse` picks is refused with a
 * non-retriable error not known to be permanent.
 */
function recordingKafka(options: { connected?: boolean; maxMessagesPerBatch?: number; refuse?: (message: Message) => boolean } = {}) {
  const sent: Sent[] = [];
  let calls = 0;
  let failing: number | undefined;
  const sendBatch = jest.fn(async (batch: ProducerBatch) => {
    calls += 1;
    if (calls === failing) throw new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('broker unavailable'), {} as never);
    const messages = (batch.topicMessages ?? []).flatMap((topicMessages) => topicMessages.messages);
    if (messages.length > (options.maxMessagesPerBatch ?? Infinity))
      throw new KafkaJSProtocolError({ type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false, message: 'too large' } as unknown as Error);
    if (options.refuse && messages.some(options.refuse)) throw new KafkaJSNonRetriableError('refused by the client');
    for (const { topic, messages: topicMessages } of batch.topicMessages ?? [])
      for (const message of topicMessages) {
        const sendContext = sendContextOf(message) ?? context.active();
        sent.push({ topic, message, active: trace.getSpanContext(sendContext), suppressed: isTracingSuppressed(sendContext) });
      }
    return [];
  });
  const clients = { connected: options.connected ?? true, producer: { sendBatch } } as unknown as KafkaClients;
  return { clients, sent, sendBatch, failOn: (n: number) => (failing = calls + n) };
}

const userRegistered = () =>
  plainToInstance(UserRegisteredV1, { eventId: randomUUID(), occurredAt: new Date().toISOString(), userId: randomUUID() });

let scratch: ScratchDatabase<KitTables>;

/** Writes events to the outbox in one transaction (in the active context, as a request handler would). */
async function enqueue(...events: UserRegisteredV1[]): Promise<void> {
  await scratch.db.transaction().execute(async (trx) => {
    for (const event of events) await enqueueEvent(trx, { topic: TOPICS.userRegistered, type: UserRegisteredV1, event, key: event.userId });
  });
}

/** Runs `write` inside a new active span and returns that span's context. */
async function inSpan(name: string, write: () => Promise<void>): Promise<SpanContext> {
  return tracer.startActiveSpan(name, async (span) => {
    try {
      await write();
      return span.spanContext();
    } finally {
      span.end();
    }
  });
}

const outboxRows = () => scratch.db.selectFrom('outbox').selectAll().orderBy('id').execute();
const unpublishedIds = async () => (await outboxRows()).filter((row) => row.published_at === null).map((row) => row.event_id);
const sentIds = (sent: Sent[]) => sent.map(({ message }) => String(message.headers?.['message-id']));

// --- setup ---------------------------------------------------------------------------------------

const contextManager = new AsyncLocalStorageContextManager();

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  scratch = await createScratchDatabase<KitTables>();
});

afterAll(async () => {
  await scratch?.drop();
  context.disable();
  propagation.disable();
});

beforeEach(async () => {
  await scratch.db.deleteFrom('outbox').execute();
  spans.reset();
});

// --- specs ---------------------------------------------------------------------------------------

describe('OutboxRelay.publishPending', () => {
  it('sends pending rows in id order, keyed, with the event id as message-id, and marks them published', async () => {
    const events = [userRegistered(), userRegistered(), userRegistered()];
    await enqueue(...events);
    const kafka = recordingKafka();
    const relay = new OutboxRelay(config, scratch.db, kafka.clients, logger);

    expect(await relay.publishPending()).toBe(3);

    expect(sentIds(kafka.sent)).toEqual(events.map((event) => event.eventId));
    expect(kafka.sendBatch).toHaveBeenCalledTimes(1); // one request to the broker for the batch
    kafka.sent.forEach(({ topic, message }, index) => {
      expect(topic).toBe(TOPICS.userRegistered);
      expect(message.key).toBe(events[index].userId);
      expect(JSON.parse(String(message.value))).toEqual({ ...events[index] });
      expect(message.headers).toEqual({ 'message-id': events[index].eventId, 'content-type': 'application/json' });
    });
    expect(await unpublishedIds()).toEqual([]);
    for (const row of await outboxRows()) expect(row.published_at).toBeInstanceOf(Date);

    expect(await relay.publishPending()).toBe(0);
    expect(kafka.sendBatch).toHaveBeenCalledTimes(1);
  });

  it('takes at most OUTBOX_BATCH_SIZE rows a tick, oldest first', async () => {
    const events = [userRegistered(), userRegistered(), userRegistered()];
    await enqueue(...events);
    const kafka = recordingKafka();
    const relay = new OutboxRelay({ ...config, OUTBOX_BATCH_SIZE: 2 }, scratch.db, kafka.clients, logger);

    expect([await relay.publishPending(), await relay.publishPending(), await relay.publishPending()]).toEqual([2, 1, 0]);
    expect(sentIds(kafka.sent)).toEqual(events.map((event) => event.eventId));
  });

  it('sends each row under the trace context it was written in, not the relay’s (suppressed) one', async () => {
    const first = userRegistered();
    const second = userRegistered();
    const untraced = userRegistered();
    const writerA = await inSpan('POST /users', () => enqueue(first));
    const writerB = await inSpan('process orders.order-confirmed.v1', () => enqueue(second));
    await enqueue(untraced);

    const stored = await outboxRows();
    expect(stored[0].trace_headers).toEqual({ traceparent: `00-${writerA.traceId}-${writerA.spanId}-01` });
    expect(stored[2].trace_headers).toEqual({});

    const kafka = recordingKafka();
    // The tick itself runs inside some other span: the rows' contexts must win over it.
    await inSpan('unrelated', async () => void (await new OutboxRelay(config, scratch.db, kafka.clients, logger).publishPending()));

    expect(sentIds(kafka.sent)).toEqual([first.eventId, second.eventId, untraced.eventId]);
    expect(kafka.sent[0].active).toMatchObject({ traceId: writerA.traceId, spanId: writerA.spanId, isRemote: true });
    expect(kafka.sent[1].active).toMatchObject({ traceId: writerB.traceId, spanId: writerB.spanId, isRemote: true });
    expect(kafka.sent[2].active).toBeUndefined();
    for (const { suppressed } of kafka.sent) expect(suppressed).toBe(false);

    const exported = spans.getFinishedSpans().map((span) => [span.name, span.spanContext().traceId]);
    expect(exported).toEqual(
      expect.arrayContaining([
        ['POST /users', writerA.traceId],
        ['process orders.order-confirmed.v1', writerB.traceId],
      ]),
    );
  });

  it('leaves every row of a batch whose send failed for the next tick, which sends them in order', async () => {
    const events = [userRegistered(), userRegistered(), userRegistered()];
    await enqueue(...events);
    const kafka = recordingKafka();
    const relay = new OutboxRelay(config, scratch.db, kafka.clients, logger);
    const warn = jest.spyOn(logger, 'warn');

    kafka.failOn(1);
    expect(await relay.publishPending()).toBe(0);

    expect(kafka.sent).toEqual([]);
    expect(await unpublishedIds()).toEqual(events.map((event) => event.eventId));
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('outbox relay: Kafka unavailable, will retry: KafkaJSConnectionError: broker unavailable'),
    );

    expect(await relay.publishPending()).toBe(3);
    expect(sentIds(kafka.sent)).toEqual(events.map((event) => event.eventId));
    expect(await unpublishedIds()).toEqual([]);
    warn.mockRestore();
  });

  it('halves the batch after a refused send until the broker takes it, so a batch too large for it never stalls the outbox', async () => {
    const events = [userRegistered(), userRegistered(), userRegistered()];
    await enqueue(...events);
    const kafka = recordingKafka({ maxMessagesPerBatch: 1 });
    const relay = new OutboxRelay({ ...config, OUTBOX_BATCH_SIZE: 4 }, scratch.db, kafka.clients, logger);

    const sentPerTick: number[] = [];
    while ((await unpublishedIds()).length > 0 && sentPerTick.length < 20) sentPerTick.push(await relay.publishPending());

    // The 3 rows (limit 4) refused, 1 taken; 2 refused, 1 taken; the last row alone (limit 2) taken.
    expect(sentPerTick).toEqual([0, 1, 0, 1, 1]);
    expect(sentIds(kafka.sent)).toEqual(events.map((event) => event.eventId));
  });

  it('sends nothing while the producer is not connected, and keeps the rows', async () => {
    const events = [userRegistered(), userRegistered()];
    await enqueue(...events);
    const kafka = recordingKafka({ connected: false });

    expect(await new OutboxRelay(config, scratch.db, kafka.clients, logger).publishPending()).toBe(0);

    expect(kafka.sendBatch).not.toHaveBeenCalled();
    expect(await unpublishedIds()).toEqual(events.map((event) => event.eventId));
  });

  it('never sends a row twice when two relays (two instances of a service) tick at once', async () => {
    const events = Array.from({ length: 6 }, userRegistered);
    await enqueue(...events);
    const kafka = recordingKafka();
    const relays = [new OutboxRelay(config, scratch.db, kafka.clients, logger), new OutboxRelay(config, scratch.db, kafka.clients, logger)];

    const counts = await Promise.all(relays.map((relay) => relay.publishPending()));

    expect(counts[0] + counts[1]).toBe(6);
    expect(sentIds(kafka.sent).sort()).toEqual(events.map((event) => event.eventId).sort());
    expect(await unpublishedIds()).toEqual([]);
  });

  it('counts no attempt while Kafka is unavailable: a row alone through failed sends is never failed', async () => {
    const [event] = [userRegistered()];
    await enqueue(event);
    const kafka = recordingKafka();
    const relay = new OutboxRelay({ ...config, OUTBOX_MAX_ATTEMPTS: 1 }, scratch.db, kafka.clients, logger);

    for (let outage = 0; outage < 3; outage += 1) {
      kafka.failOn(1);
      expect(await relay.publishPending()).toBe(0);
    }
    expect(await outboxRows()).toMatchObject([{ attempts: 0, failed_at: null, claimed_until: null }]);

    expect(await relay.publishPending()).toBe(1);
    expect(sentIds(kafka.sent)).toEqual([event.eventId]);
  });

  it('fails a row refused alone OUTBOX_MAX_ATTEMPTS times for a reason not known to be permanent, then sends the rest', async () => {
    const refused = userRegistered();
    const next = userRegistered();
    await enqueue(refused, next);
    const kafka = recordingKafka({ refuse: (message) => message.headers?.['message-id'] === refused.eventId });
    const relay = new OutboxRelay({ ...config, OUTBOX_MAX_ATTEMPTS: 3 }, scratch.db, kafka.clients, logger);

    const sentPerTick: number[] = [];
    for (let tick = 0; tick < 6; tick += 1) sentPerTick.push(await relay.publishPending());

    // The pair refused (no attempt counted: the culprit is not known), then the row alone three times, then the next row.
    expect(sentPerTick).toEqual([0, 0, 0, 0, 1, 0]);
    expect(sentIds(kafka.sent)).toEqual([next.eventId]);
    const [failed] = await outboxRows();
    expect(failed).toMatchObject({ event_id: refused.eventId, attempts: 3, published_at: null, claimed_until: null });
    expect(failed.failed_at).toBeInstanceOf(Date);
    expect(failed.last_error).toBe('KafkaJSNonRetriableError: refused by the client');
  });
});
