import { Kysely, Migrator, PostgresDialect, type Migration } from 'kysely';
import { Pool } from 'pg';
import type { Logger } from 'winston';
import { connectionConfig } from './connection-config';
import { kitMigrations } from './kit-migration';

/** Injection token of the service's Kysely instance (typed by each app as Kysely<ItsDatabase>). */
export const DATABASE = Symbol('DATABASE');

export function createDatabase<DB>(url: string, applicationName: string, logger: Logger): Kysely<DB> {
  // pg (not a native driver) so the pg instrumentation sees every query. A URL without a password
  // takes it from PGPASSFILE (the stack's Postgres asks for one), as libpq clients do.
  const pool = new Pool({ ...connectionConfig(url), application_name: applicationName, max: 10 });
  // A connection the server ends (Postgres restarting: "terminating connection due to unexpected
  // postmaster exit") emits 'error' on its client, idle in the pool or checked out between queries;
  // unheard, that event ends the process. Heard, the query in flight fails as usual, the pool drops
  // the broken client and the next query opens a new connection.
  const connectionLost = (error: Error) => logger.warn('database connection lost; the pool opens a new one', { error: error.message });
  pool.on('error', connectionLost);
  pool.on('connect', (client) => client.on('error', connectionLost));
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Applies the pending migrations, service-kit's and the app's, in name order, under Kysely's migration
 * lock (so two instances starting together do not race). Fails the boot when one fails.
 */
export async function migrateToLatest(db: Kysely<unknown>, appMigrations: Record<string, Migration>): Promise<string[]> {
  const migrations = { ...kitMigrations, ...appMigrations };
  // Kit and app migrations are two sequences merged by name: a kit migration added later sorts before
  // app migrations a database already has, and must still run (each sequence only touches its own tables).
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new Error(`database migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Postgres' unique_violation (SQLSTATE 23505): the way a service learns that a unique key is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}
