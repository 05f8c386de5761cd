import { sql, type Kysely, type Migration } from 'kysely';

/** service-kit's tables, migrated first in every service's database (see kit-tables.ts). */
export const kitMigrations: Record<string, Migration> = {
  '0000_service_kit_outbox_and_processed_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'bigserial', (col) => col.primaryKey())
        .addColumn('topic', 'text', (col) => col.notNull())
        .addColumn('message_key', 'text', (col) => col.notNull())
        .addColumn('payload', 'text', (col) => col.notNull())
        .addColumn('trace_headers', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
        .addColumn('event_id', 'uuid', (col) => col.notNull().unique())
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('published_at', 'timestamptz')
        .execute();
      // The relay only ever reads unpublished rows, oldest first.
      await sql`create index outbox_unpublished on outbox (id) where published_at is null`.execute(db);
      await db.schema
        .createTable('processed_event')
        .addColumn('consumer_group', 'text', (col) => col.notNull())
        .addColumn('event_id', 'uuid', (col) => col.notNull())
        .addColumn('topic', 'text', (col) => col.notNull())
        .addColumn('processed_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('processed_event_pk', ['consumer_group', 'event_id'])
        .execute();
    },
  },
  '0000_service_kit_outbox_claims_and_retention': {
    async up(db: Kysely<unknown>) {
      // The relay claims rows for a lease instead of holding row locks across its sends, counts the
      // sends the broker refused, and moves a row it must give up on to a failed state (docs/services.md).
      await db.schema
        .alterTable('outbox')
        .addColumn('claim_id', 'uuid')
        .addColumn('claimed_until', 'timestamptz')
        .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
        .addColumn('failed_at', 'timestamptz')
        .addColumn('last_error', 'text')
        .execute();
      // A key's later rows wait while an earlier one is claimed or failed: looked up by key, oldest first.
      await sql`create index outbox_unpublished_by_key on outbox (message_key, id) where published_at is null`.execute(db);
      // Retention deletes the oldest published rows and processed events, a batch at a time.
      await sql`create index outbox_published_at on outbox (published_at) where published_at is not null`.execute(db);
      await db.schema.createIndex('processed_event_processed_at').on('processed_event').column('processed_at').execute();
    },
  },
};
