import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { sql, type KyselyPlugin, type Kysely } from 'kysely';
import winston from 'winston';
import { orderMigrations } from '../../../apps/order-service/src/database/migrations';
import type { OrderDatabase } from '../../../apps/order-service/src/database/schema';
import { IdempotencyKeyRetention } from '../../../apps/order-service/src/orders/idempotency-key-retention';
import { loadServiceConfig, type ServiceConfig } from '../src/config/service-config';
import { RetentionJobs } from '../src/retention/retention-jobs';
import { collectGlobalMetrics } from './outbox-metrics';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

// Postgres only (no broker): order-service's migrations give the scratch database its idempotency_key table too.

const config: ServiceConfig = loadServiceConfig('retention-spec', { port: 3999, database: 'unused' }, {}, {});
const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
const metricPoints = collectGlobalMetrics();
const spans = new InMemorySpanExporter();

let scratch: ScratchDatabase<OrderDatabase>;

beforeAll(async () => {
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }));
  scratch = await createScratchDatabase<OrderDatabase>(orderMigrations);
});

afterAll(async () => {
  await scratch?.drop();
  metricPoints.disable();
  trace.disable();
});

beforeEach(async () => {
  await scratch.db.deleteFrom('outbox').execute();
  await scratch.db.deleteFrom('processed_event').execute();
  await scratch.db.deleteFrom('idempotency_key').execute();
  await scratch.db.deleteFrom('customer_order').execute();
  spans.reset();
});

/** An outbox row: published `publishedHoursAgo` (unpublished when undefined), failed if asked. */
async function outboxRow(publishedHoursAgo: number | undefined, failed = false): Promise<string> {
  const eventId = randomUUID();
  await scratch.db
    .insertInto('outbox')
    .values({ topic: 'unit.topic', message_key: 'k', payload: '{}', trace_headers: '{}', event_id: eventId })
    .execute();
  await sql`update outbox set
      created_at = now() - interval '1000 hours',
      published_at = now() - ${publishedHoursAgo ?? null} * interval '1 hour',
      failed_at = case when ${failed}::boolean then now() - interval '1000 hours' end
    where event_id = ${eventId}`.execute(scratch.db);
  return eventId;
}

async function processedEvent(hoursAgo: number): Promise<string> {
  const eventId = randomUUID();
  await sql`insert into processed_event (consumer_group, event_id, topic, processed_at)
    values ('unit-group', ${eventId}, 'unit.topic', now() - ${hoursAgo} * interval '1 hour')`.execute(scratch.db);
  return eventId;
}

async function idempotencyKey(hoursAgo: number): Promise<string> {
  const orderId = randomUUID();
  const key = `key-${orderId}`;
  await sql`insert into customer_order (id, user_id, status, currency, total_minor, lines)
    values (${orderId}, ${randomUUID()}, 'PENDING', 'EUR', 100, '[]')`.execute(scratch.db);
  await sql`insert into idempotency_key (key, request_hash, order_id, created_at)
    values (${key}, 'hash', ${orderId}, now() - ${hoursAgo} * interval '1 hour')`.execute(scratch.db);
  return key;
}

const outboxIds = async () => (await scratch.db.selectFrom('outbox').select('event_id').execute()).map((row) => row.event_id).sort();
const processedIds = async () =>
  (await scratch.db.selectFrom('processed_event').select('event_id').execute()).map((row) => row.event_id).sort();
const keys = async () => (await scratch.db.selectFrom('idempotency_key').select('key').execute()).map((row) => row.key).sort();

/** Records how many rows each DELETE statement removed. */
function deleteCounter(): { plugin: KyselyPlugin; perStatement: number[] } {
  const perStatement: number[] = [];
  return {
    perStatement,
    plugin: {
      transformQuery: (args) => args.node,
      transformResult: async ({ result }) => {
        if (result.numAffectedRows !== undefined) perStatement.push(Number(result.numAffectedRows));
        return result;
      },
    },
  };
}

const jobs = (overrides: Partial<ServiceConfig> = {}, db: Kysely<unknown> = scratch.db as Kysely<unknown>) =>
  new RetentionJobs({ ...config, ...overrides }, db, logger);

describe('RetentionJobs', () => {
  it('deletes published outbox rows older than OUTBOX_RETENTION_HOURS; keeps newer, unpublished and failed ones', async () => {
    const expired = await outboxRow(25);
    const recent = await outboxRow(23);
    const unpublished = await outboxRow(undefined);
    const failed = await outboxRow(undefined, true);

    expect(await jobs({ OUTBOX_RETENTION_HOURS: 24 }).runOnce()).toMatchObject({ outbox: 1 });

    expect(await outboxIds()).toEqual([recent, unpublished, failed].sort());
    expect(await outboxIds()).not.toContain(expired);
  });

  it('deletes processed-event claims older than PROCESSED_EVENT_RETENTION_HOURS (default 30 days), keeps newer ones', async () => {
    expect(config.PROCESSED_EVENT_RETENTION_HOURS).toBe(720);
    await processedEvent(721);
    const kept = await processedEvent(719);

    expect(await jobs().runOnce()).toMatchObject({ processed_event: 1 });

    expect(await processedIds()).toEqual([kept]);
  });

  it('deletes an app table’s rows by the rule the app adds: order-service’s idempotency keys', async () => {
    await idempotencyKey(49);
    const kept = await idempotencyKey(47);
    const retention = jobs();
    new IdempotencyKeyRetention({ IDEMPOTENCY_KEY_RETENTION_HOURS: 48 }, retention).onModuleInit();

    expect(await retention.runOnce()).toEqual({ outbox: 0, processed_event: 0, idempotency_key: 1 });

    expect(await keys()).toEqual([kept]);
  });

  it('deletes at most RETENTION_BATCH_SIZE rows per statement, until none is left, and counts them by table', async () => {
    for (let n = 0; n < 5; n += 1) await processedEvent(1000);
    const deletes = deleteCounter();

    expect(await jobs({ RETENTION_BATCH_SIZE: 2 }, scratch.db.withPlugin(deletes.plugin) as Kysely<unknown>).runOnce()).toMatchObject({
      processed_event: 5,
    });

    // outbox: one empty batch; processed_event: 2 + 2 + 1.
    expect(deletes.perStatement).toEqual([0, 2, 2, 1]);
    expect(await processedIds()).toEqual([]);
    const counted = (await metricPoints.points('tracehop.retention.deleted')).find(
      (point) => point.attributes['db.collection.name'] === 'processed_event',
    );
    expect(counted?.value).toBeGreaterThanOrEqual(5);
  });

  it('skips a row another transaction holds locked instead of waiting for it (the next run takes it)', async () => {
    const locked = await processedEvent(1000);
    await processedEvent(1000);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let lockTaken!: () => void;
    const taken = new Promise<void>((resolve) => (lockTaken = resolve));
    const holder = scratch.db.transaction().execute(async (trx) => {
      await sql`select 1 from processed_event where event_id = ${locked} for update`.execute(trx);
      lockTaken();
      await released;
    });
    try {
      await taken;
      expect(await jobs().runOnce()).toMatchObject({ processed_event: 1 });
      expect(await processedIds()).toEqual([locked]);
    } finally {
      release();
      await holder;
    }
    expect(await jobs().runOnce()).toMatchObject({ processed_event: 1 });
  });

  it('traces each run as one root span (the DELETE statements, traced by the pg instrumentation in a service, go under it)', async () => {
    await jobs().runOnce();

    const runs = spans.getFinishedSpans().filter((span) => span.name === 'retention run');
    expect(runs).toHaveLength(1);
    expect(runs[0].parentSpanContext).toBeUndefined();
  });

  it('runs on its interval once bootstrapped, and not at all with RETENTION_JOBS=off', async () => {
    const expired = await processedEvent(1000);
    const off = jobs({ RETENTION_JOBS: 'off', RETENTION_INTERVAL_MS: 20 });
    off.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await off.beforeApplicationShutdown();
    expect(await processedIds()).toEqual([expired]);

    const on = jobs({ RETENTION_INTERVAL_MS: 20 });
    on.onApplicationBootstrap();
    try {
      for (let wait = 0; wait < 50 && (await processedIds()).length > 0; wait += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await on.beforeApplicationShutdown();
    }
    expect(await processedIds()).toEqual([]);
  });
});
