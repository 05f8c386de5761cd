import { randomUUID } from 'node:crypto';
import { context, SpanStatusCode, type Counter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { instanceToPlain, plainToInstance } from 'class-transformer';
import type { Batch, EachBatchPayload, IHeaders, ProducerRecord } from 'kafkajs';
import { sql, type Kysely, type Migration, type Transaction } from 'kysely';
import winston from 'winston';
import type { ConsumedRecord } from '@tracehop/telemetry';
import { PoisonMessageError, TOPICS, UserRegisteredV1 } from '../../contracts/src';
import { ATTR_TRACEHOP_DEAD_LETTER_TOPIC } from '../src/attributes';
import { env, loadServiceConfig } from '../src/config/service-config';
import { EventConsumer, RecordNotFinished, type RecordOutcome } from '../src/consumer/event-consumer';
import type { EventHandler } from '../src/consumer/event-handler';
import type { ConsumerRetrySettings } from '../src/consumer/retry-settings';
import type { KitTables } from '../src/database/kit-tables';
import { Faults } from '../src/faults/faults';
import type { KafkaClients } from '../src/kafka/kafka-clients';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

// --- helpers -------------------------------------------------------------------------------------

const GROUP = 'unit-group';
const DLQ = 'unit-group.dlq';
const RETRY = 'unit-group.retry';
/** Transient failures a spec's handler produces before it succeeds. */
const RETRIES = 2;
const ORIGIN_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

/** The effect the spec's handler has: one row per applied event (rolled back with a failed attempt). */
interface UnitTables extends KitTables {
  unit_effect: { event_id: string; user_id: string };
}

const unitMigrations: Record<string, Migration> = {
  '0001_unit_effect': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('unit_effect')
        .addColumn('event_id', 'uuid', (col) => col.primaryKey())
        .addColumn('user_id', 'uuid', (col) => col.notNull())
        .execute();
    },
  },
};

/**
 * Records the effect, then fails on the attempts `failWith` says to (attempt numbers from 1): the
 * insert happens before the throw, so a failed attempt leaving anything behind would show.
 */
class RecordingHandler implements EventHandler<UserRegisteredV1, UnitTables> {
  readonly topic = TOPICS.userRegistered;
  readonly event = UserRegisteredV1;
  readonly calls: UserRegisteredV1[] = [];

  constructor(private readonly failWith: (attempt: number) => Error | undefined = () => undefined) {}

  async handle(event: UserRegisteredV1, trx: Transaction<UnitTables>): Promise<void> {
    this.calls.push(event);
    await trx.insertInto('unit_effect').values({ event_id: event.eventId, user_id: event.userId }).execute();
    const failure = this.failWith(this.calls.length);
    if (failure) throw failure;
  }
}

const config = loadServiceConfig(
  'event-consumer-spec',
  { port: 3999, database: 'unused' },
  {},
  { CONSUMER_RETRY_MIN_MS: '1', CONSUMER_RETRY_MAX_MS: '2' },
);
const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
const CONSUMER_EVENTS = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', DISCONNECT: 'consumer.disconnect' };

let scratch: ScratchDatabase<UnitTables>;

/** An EventConsumer over the scratch database, a fake Kafka (no broker) and a recording producer. */
function consumerWith(
  handler: RecordingHandler,
  options: {
    failDeadLetter?: boolean;
    consumerDelayMs?: number;
    transactionPerBatch?: boolean;
    retry?: Partial<ConsumerRetrySettings>;
  } = {},
) {
  const dlq: ProducerRecord[] = [];
  const send = jest.fn(async (record: ProducerRecord) => {
    if (options.failDeadLetter) throw new Error('broker unavailable');
    dlq.push(record);
    return [];
  });
  const kafkaConsumer = { on: jest.fn(), events: CONSUMER_EVENTS };
  const kafkaConsumerFactory = jest.fn(() => kafkaConsumer);
  const clients = { kafka: { consumer: kafkaConsumerFactory }, producer: { send } } as unknown as KafkaClients;
  const outcomes = { add: jest.fn() };
  const retries = { add: jest.fn() };
  const faults = new Faults({
    consumerDelayMs: { description: 'slow consumer', schema: env.millis(), initial: options.consumerDelayMs ?? 0 },
  });
  // Kysely<DB> is invariant in DB: the app's database has the kit's tables, as in the services.
  const db = scratch.db as unknown as Kysely<KitTables>;
  const consumer = new EventConsumer(
    { groupId: GROUP, handlers: [handler], batch: options.transactionPerBatch, transactionPerBatch: options.transactionPerBatch },
    {
      clients,
      db,
      logger,
      faults,
      config,
      metrics: { outcomes: outcomes as unknown as Counter, retries: retries as unknown as Counter },
      retry: options.retry,
    },
  );
  const heartbeat = jest.fn(async () => undefined);
  const handle = (record: ConsumedRecord): Promise<RecordOutcome> => consumer.handleRecord(record, heartbeat);
  /** Hands the records to eachBatch as one fetched batch of one partition; resolves with the offsets marked done. */
  const pause = jest.fn(() => jest.fn());
  const handleBatch = async (records: ConsumedRecord[]): Promise<string[]> => {
    const resolved: string[] = [];
    // As kafkajs' Batch, with nothing behind it on the broker (offsetLag: what the lag-age gauge reads).
    const batch = {
      topic: records[0].topic,
      partition: records[0].partition,
      messages: records.map((r) => r.message),
      offsetLag: () => '0',
    } as unknown as Batch;
    await consumer.handleBatch({
      batch,
      resolveOffset: (offset: string) => void resolved.push(offset),
      heartbeat,
      isRunning: () => true,
      isStale: () => false,
      pause,
    } as unknown as EachBatchPayload);
    return resolved;
  };
  return { consumer, handle, handleBatch, heartbeat, pause, dlq, send, outcomes, retries, kafkaConsumer, kafkaConsumerFactory };
}

const userRegistered = () =>
  plainToInstance(UserRegisteredV1, { eventId: randomUUID(), occurredAt: new Date().toISOString(), userId: randomUUID() });

/** A consumed record as kafkajs delivers it (Buffer key, value and headers). */
function record(value: string | null, headers: IHeaders = {}, topic: string = TOPICS.userRegistered, offset = '41'): ConsumedRecord {
  return {
    topic,
    partition: 2,
    message: {
      key: Buffer.from('user-key'),
      value: value === null ? null : Buffer.from(value),
      headers,
      offset,
      timestamp: String(Date.now()),
      attributes: 0,
    },
  };
}

const recordOf = (event: UserRegisteredV1, headers: IHeaders = {}, offset?: string) =>
  record(JSON.stringify(instanceToPlain(event)), headers, TOPICS.userRegistered, offset);
/** Records at offsets 100, 101, … of one partition. */
const recordsOf = (events: UserRegisteredV1[]) => events.map((event, i) => recordOf(event, {}, String(100 + i)));
/** The transaction id that wrote each effect row (Postgres' xmin), in event order. */
const writers = async (events: UserRegisteredV1[]) => {
  const rows = await sql<{ event_id: string; xmin: string }>`select event_id, xmin::text as xmin from unit_effect`.execute(scratch.db);
  return events.map((event) => rows.rows.find((row) => row.event_id === event.eventId)?.xmin);
};

const effects = () => scratch.db.selectFrom('unit_effect').selectAll().execute();
const claims = () => scratch.db.selectFrom('processed_event').select(['consumer_group', 'event_id', 'topic']).execute();
const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/** The headers of the one record sent to the dead-letter topic, as strings. */
function deadLetterHeaders(dlq: ProducerRecord[]): Record<string, string> {
  expect(dlq).toHaveLength(1);
  expect(dlq[0].topic).toBe(DLQ);
  return Object.fromEntries(Object.entries(dlq[0].messages[0].headers ?? {}).map(([key, value]) => [key, String(value)]));
}

/** A sent record's headers, as strings. */
const headersOf = (sent: ProducerRecord): Record<string, string> =>
  Object.fromEntries(Object.entries(sent.messages[0].headers ?? {}).map(([key, value]) => [key, String(value)]));

/** A sent record as a consumer of its topic gets it back: Buffer headers, an offset, sent a minute ago. */
function asConsumed(sent: ProducerRecord, topic: string, offset: string): ConsumedRecord {
  const { key, value, headers } = sent.messages[0];
  const buffers = Object.fromEntries(Object.entries(headers ?? {}).map(([name, header]) => [name, Buffer.from(String(header))]));
  return {
    topic,
    partition: 0,
    message: {
      key: key as Buffer,
      value: value as Buffer,
      headers: buffers,
      offset,
      timestamp: String(Date.now() - 60_000),
      attributes: 0,
    },
  };
}

// --- setup ---------------------------------------------------------------------------------------

beforeAll(async () => {
  scratch = await createScratchDatabase<UnitTables>(unitMigrations);
});

afterAll(async () => {
  await scratch?.drop();
});

beforeEach(async () => {
  await scratch.db.deleteFrom('unit_effect').execute();
  await scratch.db.deleteFrom('processed_event').execute();
});

// --- specs ---------------------------------------------------------------------------------------

describe('EventConsumer', () => {
  it('makes a consumer for its group and watches its join, crash and disconnect events', () => {
    const { consumer, kafkaConsumer, kafkaConsumerFactory } = consumerWith(new RecordingHandler());
    expect(kafkaConsumerFactory).toHaveBeenCalledWith(expect.objectContaining({ groupId: GROUP }));
    expect(kafkaConsumer.on.mock.calls.map(([event]) => event).sort()).toEqual(Object.values(CONSUMER_EVENTS).sort());
    expect(consumer.topics).toEqual([TOPICS.userRegistered, RETRY]);
    expect(consumer.ready).toBe(false);
  });
});

describe('EventConsumer.handleBatch with a transaction per batch', () => {
  it('applies a fetched chunk in one transaction: one claim per event, every effect written by the same transaction', async () => {
    const handler = new RecordingHandler();
    const { handleBatch, outcomes } = consumerWith(handler, { transactionPerBatch: true });
    const events = [userRegistered(), userRegistered(), userRegistered()];

    expect(await handleBatch(recordsOf(events))).toEqual(['102']);

    expect(handler.calls.map((call) => call.eventId)).toEqual(events.map((event) => event.eventId));
    expect(await claims()).toHaveLength(3);
    const [first, ...rest] = await writers(events);
    expect(first).toBeDefined();
    expect(rest).toEqual([first, first]);
    expect(outcomes.add.mock.calls.map(([, attributes]) => attributes.outcome)).toEqual(['applied', 'applied', 'applied']);
  });

  it('skips events already claimed, and a repeat inside the chunk, as duplicates', async () => {
    const handler = new RecordingHandler();
    const { handle, handleBatch, outcomes } = consumerWith(handler, { transactionPerBatch: true });
    const [seen, fresh] = [userRegistered(), userRegistered()];
    expect(await handle(recordOf(seen))).toBe('applied');
    outcomes.add.mockClear();

    await handleBatch(recordsOf([seen, fresh, fresh]));

    expect(handler.calls.map((call) => call.eventId)).toEqual([seen.eventId, fresh.eventId]);
    expect(await effects()).toHaveLength(2);
    expect(outcomes.add.mock.calls.map(([, attributes]) => attributes.outcome)).toEqual(['duplicate', 'applied', 'duplicate']);
  });

  it('rolls the whole chunk back when one record fails, then applies the records one by one (each exactly once)', async () => {
    // The second handler call fails once: inside the chunk, so the chunk's first effect must be undone.
    const handler = new RecordingHandler((attempt) => (attempt === 2 ? new Error('deadlock detected') : undefined));
    const { handleBatch, dlq } = consumerWith(handler, { transactionPerBatch: true });
    const events = [userRegistered(), userRegistered(), userRegistered()];

    expect(await handleBatch(recordsOf(events))).toEqual(['100', '101', '102']);

    expect(handler.calls).toHaveLength(2 + events.length);
    expect((await effects()).map((row) => row.event_id).sort()).toEqual(events.map((event) => event.eventId).sort());
    expect(await claims()).toHaveLength(3);
    expect(new Set(await writers(events)).size).toBe(3);
    expect(dlq).toEqual([]);
  });

  it('leaves a poison record of the chunk to the record-by-record path: it is dead-lettered, the others applied', async () => {
    const handler = new RecordingHandler();
    const { handleBatch, dlq } = consumerWith(handler, { transactionPerBatch: true });
    const events = [userRegistered(), userRegistered()];
    const poison = record('{"eventId": 1', {}, TOPICS.userRegistered, '105');

    expect(await handleBatch([recordOf(events[0], {}, '104'), poison, recordOf(events[1], {}, '106')])).toEqual(['104', '105', '106']);

    expect(await effects()).toHaveLength(2);
    expect(deadLetterHeaders(dlq)['tracehop-original-offset']).toBe('105');
  });
});

describe('EventConsumer.handleRecord', () => {
  it('applies a valid record once, claiming its event id in the same transaction', async () => {
    const handler = new RecordingHandler();
    const { handle, dlq, outcomes } = consumerWith(handler);
    const event = userRegistered();

    expect(await handle(recordOf(event))).toBe('applied');

    expect(handler.calls).toHaveLength(1);
    expect(handler.calls[0]).toBeInstanceOf(UserRegisteredV1);
    expect(handler.calls[0]).toEqual(event);
    expect(await effects()).toEqual([{ event_id: event.eventId, user_id: event.userId }]);
    expect(await claims()).toEqual([{ consumer_group: GROUP, event_id: event.eventId, topic: TOPICS.userRegistered }]);
    expect(dlq).toEqual([]);
    expect(outcomes.add).toHaveBeenCalledWith(1, {
      'messaging.consumer.group.name': GROUP,
      'messaging.destination.name': TOPICS.userRegistered,
      outcome: 'applied',
    });
  });

  it('answers a replay of the same event id with "duplicate", without running the handler again', async () => {
    const handler = new RecordingHandler();
    const { handle, outcomes } = consumerWith(handler);
    const event = userRegistered();

    expect(await handle(recordOf(event))).toBe('applied');
    expect(await handle(recordOf(event))).toBe('duplicate');
    // Redelivered with a different offset and headers: still the same event.
    expect(await handle({ ...recordOf(event, { 'x-redelivered': 'yes' }), partition: 0 })).toBe('duplicate');

    expect(handler.calls).toHaveLength(1);
    expect(await effects()).toHaveLength(1);
    expect(outcomes.add).toHaveBeenLastCalledWith(1, expect.objectContaining({ outcome: 'duplicate' }));
  });

  it('sends an unparseable value to <group>.dlq with the tracehop-* headers, and moves on', async () => {
    const handler = new RecordingHandler();
    const { handle, dlq, outcomes } = consumerWith(handler);
    const poison = record('{"this is": not json', { traceparent: Buffer.from(ORIGIN_TRACEPARENT), 'x-request-id': Buffer.from('req-7') });

    expect(await handle(poison)).toBe('dead-lettered');

    expect(handler.calls).toEqual([]);
    expect(await claims()).toEqual([]);
    expect(dlq[0].messages[0].key).toEqual(poison.message.key);
    expect(dlq[0].messages[0].value).toEqual(poison.message.value);
    expect(deadLetterHeaders(dlq)).toEqual({
      'tracehop-attempt': '1',
      'tracehop-original-topic': TOPICS.userRegistered,
      'tracehop-original-partition': '2',
      'tracehop-original-offset': '41',
      'tracehop-origin-traceparent': ORIGIN_TRACEPARENT,
      'tracehop-error': 'UserRegisteredV1: value is not JSON',
      // The record's own headers travel along; its trace headers do not (the DLQ send gets fresh ones).
      'x-request-id': 'req-7',
    });
    expect(outcomes.add).toHaveBeenCalledWith(1, expect.objectContaining({ outcome: 'dead-lettered' }));
  });

  it('dead-letters a record without a value', async () => {
    const { handle, dlq } = consumerWith(new RecordingHandler());
    expect(await handle(record(null))).toBe('dead-lettered');
    expect(deadLetterHeaders(dlq)['tracehop-error']).toBe('UserRegisteredV1: record has no value');
  });

  it('dead-letters a schema-invalid value, naming the bad fields', async () => {
    const handler = new RecordingHandler();
    const { handle, dlq } = consumerWith(handler);
    const invalid = record(JSON.stringify({ eventId: 'not-a-uuid', occurredAt: new Date().toISOString(), userId: randomUUID() }));

    expect(await handle(invalid)).toBe('dead-lettered');

    expect(handler.calls).toEqual([]);
    const headers = deadLetterHeaders(dlq);
    expect(headers['tracehop-error']).toBe('UserRegisteredV1 is invalid: eventId: eventId must be a UUID');
    expect(headers['tracehop-original-topic']).toBe(TOPICS.userRegistered);
    expect(headers).not.toHaveProperty('tracehop-origin-traceparent');
  });

  it('retries a transiently failing handler in place, rolling back each failed attempt, until it succeeds', async () => {
    const handler = new RecordingHandler((attempt) => (attempt <= RETRIES ? new Error(`database hiccup ${attempt}`) : undefined));
    const { handle, dlq, heartbeat } = consumerWith(handler);
    const event = userRegistered();

    expect(await handle(recordOf(event))).toBe('applied');

    expect(handler.calls).toHaveLength(RETRIES + 1);
    expect(heartbeat).toHaveBeenCalledTimes(RETRIES);
    expect(await effects()).toEqual([{ event_id: event.eventId, user_id: event.userId }]);
    expect(await claims()).toHaveLength(1);
    expect(dlq).toEqual([]);
  });

  it('never dead-letters a transient failure: when the consumer stops, the record is left unclaimed for redelivery', async () => {
    const handler = new RecordingHandler((attempt) => new Error(`payment ledger locked (attempt ${attempt})`));
    const { consumer, handle, dlq, kafkaConsumer } = consumerWith(handler, { retry: { transientAttempts: 1_000_000 } });
    Object.assign(kafkaConsumer, { disconnect: jest.fn(async () => undefined) });
    const event = userRegistered();

    const handled = handle(recordOf(event, { traceparent: ORIGIN_TRACEPARENT }));
    await sleep(100);
    await consumer.stop();

    await expect(handled).rejects.toBeInstanceOf(RecordNotFinished);
    expect(handler.calls.length).toBeGreaterThan(RETRIES);
    expect(await effects()).toEqual([]);
    expect(await claims()).toEqual([]);
    expect(dlq).toEqual([]);
  });

  it('gives the record up for redelivery when a heartbeat fails (the partition went to another member)', async () => {
    const handler = new RecordingHandler((attempt) => new Error(`database down (attempt ${attempt})`));
    const { handle, dlq, heartbeat } = consumerWith(handler);
    heartbeat.mockRejectedValue(new Error('The group is rebalancing'));

    await expect(handle(recordOf(userRegistered()))).rejects.toThrow('The group is rebalancing');
    expect(dlq).toEqual([]);
  });

  it('dead-letters at once, without retrying, when the handler throws a PoisonMessageError', async () => {
    const handler = new RecordingHandler(() => new PoisonMessageError('user id belongs to no account', { userId: ['unknown user'] }));
    const { handle, dlq, heartbeat } = consumerWith(handler);

    expect(await handle(recordOf(userRegistered()))).toBe('dead-lettered');
    // Retries would have run within a few milliseconds (CONSUMER_RETRY_MIN_MS=1): give them the chance.
    await sleep(100);

    expect(handler.calls).toHaveLength(1);
    expect(heartbeat).not.toHaveBeenCalled();
    expect(await effects()).toEqual([]);
    expect(deadLetterHeaders(dlq)['tracehop-error']).toBe('user id belongs to no account');
  });

  it('sends a constraint violation to <group>.retry, runs it again with the original handler from there, and dead-letters it after the last attempt', async () => {
    const handler = new RecordingHandler();
    const { handle, dlq, outcomes, retries } = consumerWith(handler, { retry: { maxAttempts: 2, retryDelayMs: 0 } });
    const event = userRegistered();
    // The effect row exists already: the handler's insert is a unique violation (SQLSTATE 23505), every time.
    await scratch.db.insertInto('unit_effect').values({ event_id: randomUUID(), user_id: event.userId }).execute();
    await sql`update unit_effect set event_id = ${event.eventId}`.execute(scratch.db);

    expect(await handle(recordOf(event, { traceparent: Buffer.from(ORIGIN_TRACEPARENT) }))).toBe('retried');
    expect(dlq.map((sent) => sent.topic)).toEqual([RETRY]);
    const retryHeaders = headersOf(dlq[0]);
    expect(retryHeaders).toMatchObject({
      'tracehop-attempt': '1',
      'tracehop-failed-attempts': '1',
      'tracehop-original-topic': TOPICS.userRegistered,
      'tracehop-original-offset': '41',
      'tracehop-origin-traceparent': ORIGIN_TRACEPARENT,
    });
    expect(retryHeaders['tracehop-error']).toMatch(/duplicate key/);

    // Consumed back from the retry topic (kafkajs delivers header values as Buffers).
    const fromRetryTopic = asConsumed(dlq[0], RETRY, '7');
    expect(await handle(fromRetryTopic)).toBe('dead-lettered');

    expect(handler.calls).toHaveLength(2);
    expect(dlq.map((sent) => sent.topic)).toEqual([RETRY, DLQ]);
    expect(headersOf(dlq[1])).toMatchObject({
      'tracehop-attempt': '2',
      'tracehop-failed-attempts': '2',
      'tracehop-original-topic': TOPICS.userRegistered,
      'tracehop-original-offset': '41',
    });
    expect(outcomes.add.mock.calls.map(([, attributes]) => attributes.outcome)).toEqual(['retried', 'dead-lettered']);
    expect(retries.add.mock.calls).toEqual([
      [
        1,
        {
          'messaging.consumer.group.name': GROUP,
          'messaging.destination.name': TOPICS.userRegistered,
          'error.type': 'DatabaseError',
          kind: 'deterministic',
        },
      ],
    ]);
  });

  it('moves a transient failure that outlasts its in-place retries to the retry topic, keeping its attempts', async () => {
    const handler = new RecordingHandler(() => new Error('Connection terminated unexpectedly'));
    const { handle, dlq, retries } = consumerWith(handler, { retry: { transientAttempts: 3 } });

    expect(await handle(recordOf(userRegistered()))).toBe('retried');

    expect(handler.calls).toHaveLength(3);
    expect(dlq.map((sent) => sent.topic)).toEqual([RETRY]);
    expect(headersOf(dlq[0])).not.toHaveProperty(['tracehop-failed-attempts']);
    expect(headersOf(dlq[0])['tracehop-error']).toBe('Connection terminated unexpectedly');
    expect(retries.add.mock.calls.map(([, attributes]) => [attributes.kind, attributes['error.type']])).toEqual([
      ['transient', 'Error'],
      ['transient', 'Error'],
      ['transient', 'Error'],
    ]);
    expect(await effects()).toEqual([]);
  });

  it('dead-letters a retry-topic record whose original topic the group has no handler for', async () => {
    const handler = new RecordingHandler();
    const { handle, dlq } = consumerWith(handler, { retry: { retryDelayMs: 0 } });
    const stray = record(
      JSON.stringify(instanceToPlain(userRegistered())),
      { 'tracehop-original-topic': Buffer.from(TOPICS.orderCreated) },
      RETRY,
    );

    expect(await handle(stray)).toBe('dead-lettered');

    expect(handler.calls).toEqual([]);
    expect(deadLetterHeaders(dlq)['tracehop-error']).toBe(`${RETRY}: no handler for the original topic ${TOPICS.orderCreated}`);
  });

  it('pauses a retry-topic partition whose record is not due yet, leaving it unresolved, instead of waiting in the handler', async () => {
    const handler = new RecordingHandler();
    const { handleBatch, pause } = consumerWith(handler, { transactionPerBatch: true, retry: { retryDelayMs: 60_000 } });
    const waiting = record(
      JSON.stringify(instanceToPlain(userRegistered())),
      { 'tracehop-original-topic': Buffer.from(TOPICS.userRegistered) },
      RETRY,
      '3',
    );

    const started = Date.now();
    expect(await handleBatch([waiting])).toEqual([]);

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(pause).toHaveBeenCalledTimes(1);
    expect(handler.calls).toEqual([]);
  });

  it('in an eachMessage group, waits in the handler until a retry-topic record is due; stopping ends the wait at once', async () => {
    const handler = new RecordingHandler();
    const { consumer, handle, kafkaConsumer } = consumerWith(handler, { retry: { retryDelayMs: 150 } });
    Object.assign(kafkaConsumer, { disconnect: jest.fn(async () => undefined) });
    const retried = () =>
      record(JSON.stringify(instanceToPlain(userRegistered())), { 'tracehop-original-topic': Buffer.from(TOPICS.userRegistered) }, RETRY);

    const started = Date.now();
    expect(await handle(retried())).toBe('applied');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    const waiting = handle(retried());
    await sleep(20);
    const stopping = Date.now();
    await consumer.stop();
    await expect(waiting).rejects.toBeInstanceOf(RecordNotFinished);
    expect(Date.now() - stopping).toBeLessThan(100);
    expect(handler.calls).toHaveLength(1);
  });

  it('lets the error reach kafkajs (no offset commit) when even the dead-letter send fails', async () => {
    const { handle, send, outcomes } = consumerWith(new RecordingHandler(), { failDeadLetter: true });
    await expect(handle(record('not json'))).rejects.toThrow('broker unavailable');
    expect(send).toHaveBeenCalledTimes(1);
    expect(outcomes.add).not.toHaveBeenCalled();
  });

  it('counts nothing when the retry-topic send fails: the error reaches kafkajs and the record comes again', async () => {
    const { handle, retries, outcomes } = consumerWith(new RecordingHandler(() => new TypeError('bad input')), { failDeadLetter: true });
    await expect(handle(recordOf(userRegistered()))).rejects.toThrow('broker unavailable');
    expect(retries.add).not.toHaveBeenCalled();
    expect(outcomes.add).not.toHaveBeenCalled();
  });

  it('refuses a record of a topic it has no handler for', async () => {
    const { handle } = consumerWith(new RecordingHandler());
    await expect(handle(record('{}', {}, TOPICS.orderCreated))).rejects.toThrow(`no handler for topic ${TOPICS.orderCreated}`);
  });

  it('waits CONSUMER_DELAY_MS (the slow-consumer fault) before handling', async () => {
    const { handle } = consumerWith(new RecordingHandler(), { consumerDelayMs: 120 });
    const started = Date.now();
    expect(await handle(recordOf(userRegistered()))).toBe('applied');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  describe('inside the record’s process span', () => {
    const contextManager = new AsyncLocalStorageContextManager();
    const spans = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }).getTracer('event-consumer-spec');

    beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
    afterAll(() => context.disable());

    it('marks the span of a dead-lettered record as an error naming the dead-letter topic', async () => {
      const { handle } = consumerWith(new RecordingHandler());
      await tracer.startActiveSpan(`process ${TOPICS.userRegistered}`, async (span) => {
        await handle(record('not json'));
        span.end();
      });

      const [span] = spans.getFinishedSpans();
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: `dead-lettered to ${DLQ}` });
      expect(span.attributes[ATTR_TRACEHOP_DEAD_LETTER_TOPIC]).toBe(DLQ);
      expect(span.events.map((event) => event.name)).toEqual(['exception']);
    });

    it('leaves the span unmarked when the dead-letter send fails (the record is not dead-lettered: it comes again)', async () => {
      const { handle } = consumerWith(new RecordingHandler(), { failDeadLetter: true });
      await tracer.startActiveSpan(`process ${TOPICS.userRegistered}`, async (span) => {
        await expect(handle(record('not json'))).rejects.toThrow('broker unavailable');
        span.end();
      });

      const span = spans.getFinishedSpans().at(-1)!;
      expect(span.attributes[ATTR_TRACEHOP_DEAD_LETTER_TOPIC]).toBeUndefined();
      expect(span.status.message ?? '').not.toMatch(/dead-lettered/);
    });
  });
});
