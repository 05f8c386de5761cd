import { sql, type Kysely, type Migration } from 'kysely';

export const paymentMigrations: Record<string, Migration> = {
  '0001_payments': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('account_balance')
        .addColumn('user_id', 'uuid', (col) => col.notNull())
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('balance_minor', 'bigint', (col) => col.notNull().check(sql`balance_minor >= 0`))
        .addColumn('opened_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .addPrimaryKeyConstraint('account_balance_pk', ['user_id', 'currency'])
        .execute();
      await db.schema
        .createTable('payment')
        .addColumn('id', 'uuid', (col) => col.primaryKey())
        .addColumn('order_id', 'uuid', (col) => col.notNull().unique())
        .addColumn('user_id', 'uuid', (col) => col.notNull())
        .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('COMPLETED', 'DECLINED', 'FAILED')`))
        .addColumn('amount_minor', 'bigint', (col) => col.notNull())
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
      await db.schema
        .createTable('settlement_entry')
        .addColumn('event_id', 'uuid', (col) => col.primaryKey())
        .addColumn('payment_id', 'uuid', (col) => col.notNull())
        .addColumn('order_id', 'uuid', (col) => col.notNull())
        .addColumn('outcome', 'text', (col) => col.notNull())
        .addColumn('amount_minor', 'bigint', (col) => col.notNull())
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('settled_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
    },
  },
};
