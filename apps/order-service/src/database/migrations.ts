import { sql, type Kysely, type Migration } from 'kysely';

export const orderMigrations: Record<string, Migration> = {
  '0001_orders': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('customer_order')
        .addColumn('id', 'uuid', (col) => col.primaryKey())
        .addColumn('user_id', 'uuid', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('PENDING', 'CONFIRMED', 'CANCELLED')`))
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('total_minor', 'bigint', (col) => col.notNull())
        .addColumn('lines', 'jsonb', (col) => col.notNull())
        .addColumn('cancel_reason', 'text')
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addColumn('completed_at', 'timestamptz')
        .execute();
      await db.schema.createIndex('customer_order_user').on('customer_order').column('user_id').execute();
      await db.schema
        .createTable('idempotency_key')
        .addColumn('key', 'text', (col) => col.primaryKey())
        .addColumn('request_hash', 'text', (col) => col.notNull())
        .addColumn('order_id', 'uuid', (col) => col.notNull().references('customer_order.id'))
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
  '0002_idempotency_key_created_at': {
    async up(db: Kysely<unknown>) {
      // Retention deletes the oldest keys, a batch at a time (orders/idempotency-key-retention.ts).
      await db.schema.createIndex('idempotency_key_created_at').on('idempotency_key').column('created_at').execute();
    },
  },
};
