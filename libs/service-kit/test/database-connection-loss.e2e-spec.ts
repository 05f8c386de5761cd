import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { createLogger, transports } from 'winston';
import { createScratchDatabase, onServer, type ScratchDatabase } from './scratch-database';

/**
 * Postgres restarting ends every connection ("terminating connection due to unexpected postmaster
 * exit"). The chaos suite's postgres-restart found all three services dead of it: pg emitted 'error'
 * on clients nobody listened to. Here the server ends the pool's connections, idle and checked out.
 */
describe('the database pool when the server ends its connections', () => {
  let scratch: ScratchDatabase<unknown>;
  const warnings: string[] = [];
  const logger = createLogger({
    transports: [new transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => (warnings.push(String(chunk)), done()) }) })],
  });

  beforeAll(async () => {
    scratch = await createScratchDatabase({}, logger);
  });
  afterAll(() => scratch.drop());

  it('keeps the process alive, says so, and the next query opens a new connection', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      await sql`select 1`.execute(scratch.db); // an idle connection in the pool
      // A connection checked out between queries, as a transaction holds it.
      const held = scratch.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, 500));
        await sql`select 1`.execute(trx);
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await onServer(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${scratch.name}' and pid <> pg_backend_pid()`,
      );
      await expect(held).rejects.toThrow();
      const { rows } = await sql<{ one: number }>`select 1 as one`.execute(scratch.db);
      expect(rows).toEqual([{ one: 1 }]);
      expect(uncaught).toEqual([]);
      expect(warnings.join('')).toContain('database connection lost; the pool opens a new one');
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
