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
};
