import { randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';
import { Client } from 'pg';
import { createLogger, type Logger } from 'winston';
import { connectionConfig } from '../src/database/connection-config';
import { createDatabase, migrateToLatest } from '../src/database/database';

const SERVER = 'postgres://postgres@127.0.0.1:5432';

/** Runs one statement on the server's maintenance database. */
export async function onServer(statement: string): Promise<void> {
  const client = new Client(connectionConfig(`${SERVER}/postgres`));
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export interface ScratchDatabase<DB> {
  name: string;
  db: Kysely<DB>;
  drop(): Promise<void>;
}

/**
 * A database of its own for one spec file (`tracehop_unit_<random>`), migrated like a service's
 * (service-kit's tables plus `migrations`). drop() closes the pool and removes the database.
 */
export async function createScratchDatabase<DB>(
  migrations: Record<string, Migration> = {},
  logger: Logger = createLogger({ silent: true }),
): Promise<ScratchDatabase<DB>> {
  const name = `tracehop_unit_${randomBytes(6).toString('hex')}`;
  await onServer(`create database ${name}`);
  const db = createDatabase<DB>(`${SERVER}/${name}`, 'tracehop-unit-spec', logger);
  try {
    await migrateToLatest(db as Kysely<unknown>, migrations);
  } catch (error) {
    await db.destroy();
    await onServer(`drop database if exists ${name} with (force)`);
    throw error;
  }
  return {
    name,
    db,
    async drop() {
      await db.destroy();
      await onServer(`drop database if exists ${name} with (force)`);
    },
  };
}
