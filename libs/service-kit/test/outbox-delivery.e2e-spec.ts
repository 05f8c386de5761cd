import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import winston from 'winston';
import type { KitTables } from '../src/database/kit-tables';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { brokerConfig, gatedKafka, isolatedTopic, startBroker, type Broker } from './outbox-broker';
import { collectGlobalMetrics } from './outbox-metrics';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

// The real broker and Postgres: a poison row is one the broker itself refuses (over max.message.bytes).

const config = brokerConfig('outbox-delivery-spec');
const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });

let scratch: ScratchDatabase<KitTables>;
let broker: Broker;
const metricPoints = collectGlobalMetrics();

beforeAll(async () => {
  scratch = await createScratchDatabase<KitTables>();
  broker = await startBroker(config, logger);
});

afterAll(async () => {
  await broker?.stop();
  await scratch?.drop();
  metricPoints.disable();
});

beforeEach(async () => {
  await scratch.db.deleteFrom('outbox').execute();
});

/** Writes one outbox row (as enqueueEvent would, with a payload of any size) and returns its event id. */
async function insertRow(topic: string, key: string, payloadBytes = 64): Promise<string> {
  const eventId = randomUUID();
  await scratch.db
    .insertInto('outbox')
    .values({
      topic,
      message_key: key,
      payload: JSON.stringify({ eventId, pad: 'x'.repeat(payloadBytes) }),
      trace_headers: '{}',
      event_id: eventId,
    })
    .execute();
  return eventId;
}

const row = (eventId: string) => scratch.db.selectFrom('outbox').selectAll().where('event_id', '=', eventId).executeTakeFirstOrThrow();

/**
 * Runs relay ticks as the relay's own loop would, until no row is left unpublished or `ticks` ran
 * (a refused batch is retried smaller on the next tick, so a few ticks publish nothing).
 */
async function drain(relay: OutboxRelay, ticks = 25): Promise<void> {
  for (let tick = 0; tick < ticks; tick += 1) {
    await relay.publishPending();
    const unpublished = await scratch.db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute();
    if (unpublished.length === 0) return;
  }
}

describe('OutboxRelay against the real broker', () => {
  it('moves a row the broker refuses (over max.message.bytes) to failed, and publishes the rows after it', async () => {
    const topic = await broker.createTopic(isolatedTopic('poison'));
    const tooLarge = (await broker.maxMessageBytes(topic)) + 1024;
    const before = await insertRow(topic, 'key-b');
    const poison = await insertRow(topic, 'key-p', tooLarge);
    const after = await insertRow(topic, 'key-b');
    const relay = new OutboxRelay(config, scratch.db, broker.clients, logger);
    const warn = jest.spyOn(logger, 'warn');

    await drain(relay);

    expect((await row(after)).published_at).toBeInstanceOf(Date);
    expect(await broker.messageIds(topic, 2)).toEqual([before, after]);
    const failed = await row(poison);
    expect(failed).toMatchObject({ published_at: null, attempts: 1 });
    expect(failed.failed_at).toBeInstanceOf(Date);
    expect(failed.last_error).toContain('MESSAGE_TOO_LARGE');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`outbox relay: row ${failed.id} failed after 1 attempt(s)`), {
      outbox_id: failed.id,
      event_id: poison,
      'messaging.destination.name': topic,
      attempts: 1,
    });
    warn.mockRestore();
    const failedCounts = (await metricPoints.points('tracehop.outbox.failed')).filter(
      (point) => point.attributes['messaging.destination.name'] === topic,
    );
    expect(failedCounts.map((point) => point.value)).toEqual([1]);
  });

  it('holds the later rows of a failed row’s key until an operator re-queues it, then sends them in id order', async () => {
    const topic = await broker.createTopic(isolatedTopic('requeue'));
    const maxBytes = await broker.maxMessageBytes(topic);
    const poison = await insertRow(topic, 'order-1', maxBytes + 1024);
    const sameKey = await insertRow(topic, 'order-1');
    const otherKey = await insertRow(topic, 'order-2');
    const relay = new OutboxRelay(config, scratch.db, broker.clients, logger);

    await drain(relay);

    expect((await row(poison)).failed_at).toBeInstanceOf(Date);
    expect((await row(sameKey)).published_at).toBeNull();
    expect((await row(otherKey)).published_at).toBeInstanceOf(Date);

    // The operator's fix (the topic takes larger records), then the re-queue statement of docs/services.md.
    await broker.setMaxMessageBytes(topic, maxBytes * 2);
    const { id } = await row(poison);
    await sql`update outbox set failed_at = null, last_error = null, attempts = 0 where id = ${id} and failed_at is not null`.execute(
      scratch.db,
    );
    await drain(relay);

    expect(await broker.messageIds(topic, 3)).toEqual([otherKey, poison, sameKey]);
  });

  it('does not mistake a batch too large as a whole for a poison row: it sends smaller batches, in id order', async () => {
    const topic = await broker.createTopic(isolatedTopic('halving'));
    const third = Math.floor((await broker.maxMessageBytes(topic)) * 0.3);
    const ids: string[] = [];
    for (const key of ['a', 'b', 'a', 'b', 'a', 'b']) ids.push(await insertRow(topic, key, third));
    const relay = new OutboxRelay(config, scratch.db, broker.clients, logger);

    await drain(relay);

    expect(await broker.messageIds(topic, 6)).toEqual(ids);
    const rows = await scratch.db.selectFrom('outbox').select(['failed_at', 'attempts']).execute();
    expect(rows.every((stored) => stored.failed_at === null && stored.attempts === 0)).toBe(true);
  });

  it('holds no row lock while a send is in flight, and another relay skips the claimed rows and their key’s later rows', async () => {
    const topic = await broker.createTopic(isolatedTopic('claims'));
    const first = await insertRow(topic, 'order-1');
    const second = await insertRow(topic, 'order-1');
    const other = await insertRow(topic, 'order-2');
    const slow = gatedKafka(broker.clients);
    const claiming = new OutboxRelay({ ...config, OUTBOX_BATCH_SIZE: 1 }, scratch.db, slow.clients, logger);

    const inFlight = claiming.publishPending();
    try {
      await slow.sending;

      // Any other transaction can lock the row being sent: the relay committed its claim before sending.
      const locked = await scratch.db
        .transaction()
        .execute((trx) => sql<{ id: string }>`select id from outbox where event_id = ${first} for update nowait`.execute(trx));
      expect(locked.rows).toHaveLength(1);

      // A second relay (another instance) sends the other key, but neither the claimed row nor the row after it.
      const secondRelay = new OutboxRelay(config, scratch.db, broker.clients, logger);
      expect(await secondRelay.publishPending()).toBe(1);
      expect((await row(other)).published_at).toBeInstanceOf(Date);
      expect((await row(second)).published_at).toBeNull();

      slow.open();
      expect(await inFlight).toBe(1);
      await drain(secondRelay);
      expect(await broker.messageIds(topic, 3)).toEqual([other, first, second]);
    } finally {
      slow.open();
      await inFlight;
    }
  });

  it('takes over the claim of a relay that died mid-send once OUTBOX_CLAIM_LEASE_MS has passed, in id order', async () => {
    const topic = await broker.createTopic(isolatedTopic('lease'));
    const first = await insertRow(topic, 'order-1');
    const second = await insertRow(topic, 'order-1');
    const hung = gatedKafka(broker.clients);
    const dying = new OutboxRelay({ ...config, OUTBOX_CLAIM_LEASE_MS: 500 }, scratch.db, hung.clients, logger);

    const inFlight = dying.publishPending();
    try {
      await hung.sending;
      const successor = new OutboxRelay(config, scratch.db, broker.clients, logger);
      expect(await successor.publishPending()).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(await successor.publishPending()).toBe(2);
      expect(await broker.messageIds(topic, 2)).toEqual([first, second]);
    } finally {
      hung.open();
      await inFlight;
    }
  });

  // Fails today: kafkajs 2.2.4's idempotent producer rewinds the sequence numbers of every partition
  // of a failed request, the accepted ones included, so each later send to those partitions is
  // refused OUT_OF_ORDER_SEQUENCE_NUMBER until the producer is replaced (KafkaClients: see the report).
  // `failing` keeps the fact visible: it turns red once the producer recovers, to be made a plain `it`.
  it('publishes the rows of other partitions that shared a request with a refused row', async () => {
    const topic = await broker.createTopic(isolatedTopic('partitions'), 3);
    const good: string[] = [];
    for (const key of ['k1', 'k2', 'k3']) good.push(await insertRow(topic, key));
    const poison = await insertRow(topic, 'kp', (await broker.maxMessageBytes(topic)) + 1024);
    for (const key of ['k4', 'k5', 'k6']) good.push(await insertRow(topic, key));
    const relay = new OutboxRelay(config, scratch.db, broker.clients, logger);

    await drain(relay);

    expect((await row(poison)).failed_at).toBeInstanceOf(Date);
    const published = await scratch.db.selectFrom('outbox').select('event_id').where('published_at', 'is not', null).execute();
    expect(published.map((stored) => stored.event_id).sort()).toEqual([...good].sort());
  });
});
