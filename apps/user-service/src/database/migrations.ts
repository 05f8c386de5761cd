import { sql, type Kysely, type Migration } from 'kysely';

export const userMigrations: Record<string, Migration> = {
  '0001_users': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('app_user')
        .addColumn('id', 'uuid', (col) => col.primaryKey())
        .addColumn('email', 'text', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
        .execute();
      // E-mail addresses are unique regardless of case: the duplicate check is this index (409).
      await sql`create unique index app_user_email_unique on app_user (lower(email))`.execute(db);
      await db.schema
        .createTable('user_order_stats')
        .addColumn('user_id', 'uuid', (col) => col.notNull().references('app_user.id'))
        .addColumn('currency', 'text', (col) => col.notNull())
        .addColumn('confirmed_orders', 'integer', (col) => col.notNull())
        .addColumn('confirmed_total_minor', 'bigint', (col) => col.notNull())
        .addColumn('last_confirmed_at', 'timestamptz', (col) => col.notNull())
        .addPrimaryKeyConstraint('user_order_stats_pk', ['user_id', 'currency'])
        .execute();
    },
  },
};
