import { randomBytes, randomUUID } from 'node:crypto';
import type { Counter } from '@opentelemetry/api';
import { instanceToPlain, plainToInstance } from 'class-transformer';
import { Kafka, logLevel, type IHeaders } from 'kafkajs';
import { sql, type Kysely, type Migration, type Transaction } from 'kysely';
import winston from 'winston';
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { UserRegisteredV1, type Topic } from '../../contracts/src';
import { env, loadServiceConfig } from '../src/config/service-config';
import { EventConsumer } from '../src/consumer/event-consumer';
import type { EventHandler } from '../src/consumer/event-handler';
import type { KitTables } from '../src/database/kit-tables';
import { Faults } from '../src/faults/faults';
import { KafkaClients } from '../src/kafka/kafka-clients';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

// The consumer against the real broker and Postgres: topics and groups of its own (a random run id),
// so a backlog left by a load run or a development instance changes nothing here.

const RUN = randomBytes(4).toString('hex');
const GROUP = `consumer-retry-spec-${RUN}`;
const TOPIC = `consumer-retry-spec-${RUN}.user-registered` as Topic;
const RETRY = `${GROUP}.retry`;
const DLQ = `${GROUP}.dlq`;
/** The stopping spec's group and topic: it must not see the other specs' records. */
const STOPPING_GROUP = `${GROUP}-stopping`;
const STOPPING_TOPIC = `${TOPIC}-stopping` as Topic;
const ALL_TOPICS = [TOPIC, RETRY, DLQ, STOPPING_TOPIC, `${STOPPING_GROUP}.retry`, `${STOPPING_GROUP}.dlq`];
const RETRY_DELAY_MS = 2_000;
const MAX_ATTEMPTS = 3;

interface UnitTables extends KitTables {
  unit_effect: { event_id: string; user_id: string; note: string };
}

const unitMigrations: Record<string, Migration> = {
  '0001_unit_effect': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('unit_effect')
        .addColumn('event_id', 'uuid', (col) => col.primaryKey())
        .addColumn('user_id', 'uuid', (col) => col.notNull())
        .addColumn('note', 'text', (col) => col.notNull().check(sql`note <> 'bad'`))
        .execute();
    },
  },
};

/** What a handler call does for an event: write the effect, break the check constraint, or throw. */
type Plan = (call: number) => 'apply' | 'violate' | Error;

/** Writes one effect row per event; per-event plans decide failures. Remembers when each call happened. */
class PlannedHandler implements EventHandler<UserRegisteredV1, UnitTables> {
  readonly event = UserRegisteredV1;
  readonly plans = new Map<string, Plan>();
  readonly calls = new Map<string, number[]>();

  constructor(readonly topic: Topic = TOPIC) {}

  async handle(event: UserRegisteredV1, trx: Transaction<UnitTables>): Promise<void> {
    const calls = [...(this.calls.get(event.eventId) ?? []), Date.now()];
    this.calls.set(event.eventId, calls);
    const step = (this.plans.get(event.eventId) ?? (() => 'apply'))(calls.length);
    if (step instanceof Error) throw step;
    await trx
      .insertInto('unit_effect')
      .values({ event_id: event.eventId, user_id: event.userId, note: step === 'violate' ? 'bad' : 'ok' })
      .execute();
  }
}

/** A Postgres error as pg reports it (SQLSTATE in `code`). */
const postgresError = (code: string, message: string) => Object.assign(new Error(message), { code });

const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
const noCounter = () => ({ add: jest.fn() }) as unknown as Counter & { add: jest.Mock };

function consumerConfig(backoff: { min: number; max: number }) {
  return loadServiceConfig(
    'consumer-retry-spec',
    { port: 3999, database: 'unused' },
    {},
    { KAFKA_BROKERS: kafkaBrokers(), CONSUMER_RETRY_MIN_MS: String(backoff.min), CONSUMER_RETRY_MAX_MS: String(backoff.max) },
  );
}

let scratch: ScratchDatabase<UnitTables>;
let clients: KafkaClients;
const kafka = new Kafka({ clientId: 'consumer-retry-spec', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });

/** A consumer group over the spec's topic and the scratch database, started and joined. */
async function startedConsumer(groupId: string, handler: PlannedHandler, config: ReturnType<typeof consumerConfig>) {
  const outcomes = noCounter();
  const retries = noCounter();
  // Not a literal on purpose: the settings the consumer takes besides the service config.
  const deps = {
    clients,
    db: scratch.db as unknown as Kysely<KitTables>,
    logger,
    faults: new Faults({ consumerDelayMs: { description: 'slow consumer', schema: env.millis(), initial: 0 } }),
    config,
    metrics: { outcomes, retries },
    retry: { maxAttempts: MAX_ATTEMPTS, retryDelayMs: RETRY_DELAY_MS, transientAttempts: 3, transientWithinMs: 10_000 },
  };
  const consumer = new EventConsumer({ groupId, handlers: [handler], batch: true, transactionPerBatch: true }, deps);
  consumer.start();
  await eventually(`${groupId} joined`, 30, async () => consumer.ready);
  return { consumer, outcomes, retries };
}

interface Observed {
  topic: string;
  headers: Record<string, string>;
  eventId: string;
}

/** Reads the retry and dead-letter topics from the beginning, as an outside observer group. */
async function observe(topics: string[]) {
  const seen: Observed[] = [];
  const observer = kafka.consumer({ groupId: `${GROUP}.observer` });
  await observer.connect();
  await observer.subscribe({ topics, fromBeginning: true });
  await observer.run({
    eachMessage: async ({ topic, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([key, value]) => [key, String(value)]));
      seen.push({ topic, headers, eventId: (JSON.parse(String(message.value)) as { eventId: string }).eventId });
    },
  });
  return { seen, stop: () => observer.disconnect() };
}

const userRegistered = () =>
  plainToInstance(UserRegisteredV1, { eventId: randomUUID(), occurredAt: new Date().toISOString(), userId: randomUUID() });

/** Sends the event to the spec's topic; resolves with its offset. Same key, same partition. */
async function send(event: UserRegisteredV1, key = 'same-user', headers: IHeaders = {}, topic: string = TOPIC): Promise<string> {
  const [metadata] = await clients.producer.send({
    topic,
    messages: [{ key, value: JSON.stringify(instanceToPlain(event)), headers }],
  });
  return metadata.baseOffset!;
}

const applied = async (event: UserRegisteredV1) =>
  Boolean(await scratch.db.selectFrom('unit_effect').select('event_id').where('event_id', '=', event.eventId).executeTakeFirst());

beforeAll(async () => {
  scratch = await createScratchDatabase<UnitTables>(unitMigrations);
  clients = new KafkaClients(consumerConfig({ min: 50, max: 100 }), logger);
  await clients.start(ALL_TOPICS);
});

afterAll(async () => {
  await clients?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: ALL_TOPICS }).catch(() => undefined);
  await admin.disconnect();
  await scratch?.drop();
});

describe('EventConsumer against the real broker: deterministic and transient failures', () => {
  const handler = new PlannedHandler();
  let group: Awaited<ReturnType<typeof startedConsumer>>;
  let observed: Awaited<ReturnType<typeof observe>>;

  beforeAll(async () => {
    observed = await observe([RETRY, DLQ]);
    group = await startedConsumer(GROUP, handler, consumerConfig({ min: 50, max: 100 }));
  });

  afterAll(async () => {
    await group?.consumer.stop();
    await observed?.stop();
  });

  it('a constraint violation goes to <group>.retry, is retried there after the delay, then dead-lettered; the partition moves on', async () => {
    const [bad, next] = [userRegistered(), userRegistered()];
    handler.plans.set(bad.eventId, () => 'violate');
    const badOffset = await send(bad, 'same-user', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    await send(next);

    // The record behind it on the same partition is not held up by the retries.
    await eventually('the next record applied', 20, () => applied(next));
    const dead = await eventually('the violating record dead-lettered', 30, async () =>
      observed.seen.find((record) => record.topic === DLQ && record.eventId === bad.eventId),
    );

    const retried = observed.seen.filter((record) => record.topic === RETRY && record.eventId === bad.eventId);
    expect(retried.map((record) => record.headers['tracehop-failed-attempts'])).toEqual(['1', '2']);
    for (const record of [...retried, dead]) {
      expect(record.headers).toMatchObject({
        'tracehop-original-topic': TOPIC,
        'tracehop-original-offset': badOffset,
        'tracehop-origin-traceparent': '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      });
    }
    expect(dead.headers['tracehop-failed-attempts']).toBe(String(MAX_ATTEMPTS));
    expect(dead.headers['tracehop-error']).toMatch(/check constraint/);
    // The same handler ran each attempt, each retry no sooner than the delay after the one before.
    const calls = handler.calls.get(bad.eventId)!;
    expect(calls).toHaveLength(MAX_ATTEMPTS);
    for (let i = 1; i < calls.length; i += 1) expect(calls[i] - calls[i - 1]).toBeGreaterThanOrEqual(RETRY_DELAY_MS - 100);
    expect(await applied(bad)).toBe(false);
    const counted = (outcome: string) => group.outcomes.add.mock.calls.filter(([, attributes]) => attributes.outcome === outcome).length;
    expect(counted('retried')).toBeGreaterThanOrEqual(2);
    expect(group.retries.add).toHaveBeenCalledWith(1, expect.objectContaining({ kind: 'deterministic', 'error.type': 'DatabaseError' }));
  });

  it('a record waiting on the retry topic holds up nothing: records sent after it are applied first', async () => {
    const [slow, later] = [userRegistered(), userRegistered()];
    handler.plans.set(slow.eventId, (call) => (call === 1 ? 'violate' : 'apply'));
    await send(slow, 'waiting-user');
    await eventually('the record on the retry topic', 20, async () =>
      observed.seen.some((record) => record.topic === RETRY && record.eventId === slow.eventId),
    );

    const sentAt = Date.now();
    await send(later, 'waiting-user');
    await eventually('the later record applied', 20, () => applied(later));
    const laterAppliedAfter = Date.now() - sentAt;
    await eventually('the retried record applied', 20, () => applied(slow));

    expect(laterAppliedAfter).toBeLessThan(RETRY_DELAY_MS);
    const [, retriedAt] = handler.calls.get(slow.eventId)!;
    expect(retriedAt).toBeGreaterThan(handler.calls.get(later.eventId)![0]);
  });

  it('a transient failure past its bound goes to the retry topic without spending an attempt, and is applied from there', async () => {
    const flaky = userRegistered();
    // Three failures use up the in-place bound (transientAttempts: 3); the fourth call, from the retry topic, works.
    handler.plans.set(flaky.eventId, (call) => (call <= 3 ? postgresError('40001', 'could not serialize access') : 'apply'));
    await send(flaky, 'flaky-user');

    await eventually('the flaky record applied', 30, () => applied(flaky));

    const retried = observed.seen.filter((record) => record.eventId === flaky.eventId);
    expect(retried.map((record) => record.topic)).toEqual([RETRY]);
    expect(retried[0].headers).not.toHaveProperty('tracehop-failed-attempts');
    expect(handler.calls.get(flaky.eventId)).toHaveLength(4);
    expect(group.retries.add).toHaveBeenCalledWith(1, expect.objectContaining({ kind: 'transient', 'error.type': 'Error' }));
  });
});

describe('EventConsumer against the real broker: stopping', () => {
  it('stops within a second while a record waits in a long backoff', async () => {
    const handler = new PlannedHandler(STOPPING_TOPIC);
    const stuck = userRegistered();
    handler.plans.set(stuck.eventId, () => postgresError('08006', 'connection failure'));
    // A 20 s backoff: today's consumer waited it out before leaving its group.
    const { consumer } = await startedConsumer(STOPPING_GROUP, handler, consumerConfig({ min: 20_000, max: 20_000 }));
    await send(stuck, 'stuck-user', {}, STOPPING_TOPIC);
    await eventually('the first attempt', 20, async () => handler.calls.has(stuck.eventId));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    await consumer.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(handler.calls.get(stuck.eventId)).toHaveLength(1);
  });
});
