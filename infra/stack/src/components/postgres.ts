import { chownSync, closeSync, existsSync, fchownSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { aptInstall } from '../install/apt';
import { runCommand } from '../install/run-command';
import { port } from '../manifest';
import type { Component, StackContext } from './component';

const binDir = (ctx: StackContext) => `/usr/lib/postgresql/${ctx.manifest.components.postgres.version}/bin`;
const socketDir = (ctx: StackContext) => join(ctx.paths.state, 'run', 'postgres');

const password = (ctx: StackContext) => readFileSync(ctx.env.POSTGRES_PASSWORD_FILE, 'utf8').trim();
const hbaFile = (ctx: StackContext) => join(ctx.paths.data('postgres'), 'pg_hba.conf');

function client(ctx: StackContext, database = 'postgres'): Client {
  return new Client({
    host: '127.0.0.1',
    port: port(ctx.manifest, 'POSTGRES_PORT'),
    user: 'postgres',
    password: password(ctx),
    database,
    connectionTimeoutMillis: 1000,
  });
}

/**
 * Clusters made before the stack set a password trusted every local user. Give the superuser the
 * generated password and ask for it from now on (data kept; no `reset` needed).
 */
async function requirePassword(ctx: StackContext, db: Client): Promise<void> {
  const hba = readFileSync(hbaFile(ctx), 'utf8');
  // The method is the last word of a local/host line; a trailing comment may follow.
  const next = hba.replace(/^([ \t]*(?:local|host)\S*[ \t].*[ \t])trust([ \t]*(?:#.*)?)$/gm, '$1scram-sha-256$2');
  if (next === hba) return;
  await db.query(`alter role postgres password ${db.escapeLiteral(password(ctx))}`);
  writeFileSync(hbaFile(ctx), next);
  await db.query('select pg_reload_conf()');
}

/** Parents stay world-traversable (0755); the folder itself is private to the server's user. */
function ownByServiceUser(ctx: StackContext, dir: string): void {
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(dir)) mkdirSync(dir, { mode: 0o700 });
  if (ctx.serviceUser) chownSync(dir, ctx.serviceUser.uid, ctx.serviceUser.gid);
}

export const postgres: Component = {
  name: 'postgres',
  title: 'PostgreSQL (private cluster)',
  dependsOn: [],
  ports: ['POSTGRES_PORT'],
  endpoints: (ctx) => [`postgres://postgres@127.0.0.1:${port(ctx.manifest, 'POSTGRES_PORT')}/{${ctx.manifest.databases.join(',')}}`],
  install: [
    {
      title: 'install Debian postgresql',
      outputExists: (ctx) => existsSync(join(binDir(ctx), 'postgres')),
      run: (ctx) => aptInstall(ctx, [`postgresql-${ctx.manifest.components.postgres.version}`]),
    },
  ],
  initData: async (ctx) => {
    const dataDir = ctx.paths.data('postgres');
    ownByServiceUser(ctx, socketDir(ctx));
    if (existsSync(join(dataDir, 'PG_VERSION'))) return;
    ownByServiceUser(ctx, dataDir);
    // A private cluster, not the system one: reachable only on loopback and our socket, and every
    // connection must give the generated password (SCRAM). initdb runs as the service user, which
    // cannot read the secrets folder: it gets the password in a file of its own, removed at once.
    // Created anew ('wx': never through a link someone left in the service user's folder).
    const pwfile = join(socketDir(ctx), 'initdb-password');
    rmSync(pwfile, { force: true });
    const fd = openSync(pwfile, 'wx', 0o600);
    try {
      writeSync(fd, password(ctx));
      if (ctx.serviceUser) fchownSync(fd, ctx.serviceUser.uid, ctx.serviceUser.gid);
    } finally {
      closeSync(fd);
    }
    try {
      await runCommand(
        ctx,
        join(binDir(ctx), 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-instructions'],
        { uid: ctx.serviceUser?.uid, gid: ctx.serviceUser?.gid, cwd: dataDir, logFile: ctx.paths.logFile('postgres') },
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  },
  launch: (ctx) => ({
    command: join(binDir(ctx), 'postgres'),
    args: [
      '-D',
      ctx.paths.data('postgres'),
      '-p',
      String(port(ctx.manifest, 'POSTGRES_PORT')),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir(ctx)}`,
    ],
    dropRoot: true,
  }),
  isReady: async (ctx) => {
    const db = client(ctx);
    try {
      await db.connect();
      await db.query('select 1');
      return true;
    } catch (error) {
      // Not "not ready yet": the password file no longer matches the cluster (secrets deleted, data kept).
      if ((error as { code?: string }).code === '28P01') {
        throw new Error(
          `the cluster refuses the password in ${ctx.env.POSTGRES_PASSWORD_FILE}; restore that file, or wipe the data with npm run stack -- reset`,
          { cause: error },
        );
      }
      return false;
    } finally {
      await db.end().catch(() => undefined);
    }
  },
  readyTimeoutSeconds: 60,
  afterReady: async (ctx) => {
    const db = client(ctx);
    await db.connect();
    try {
      await requirePassword(ctx, db);
      const existing = await db.query<{ datname: string }>('select datname from pg_database');
      const have = new Set(existing.rows.map((row) => row.datname));
      for (const name of ctx.manifest.databases.filter((d) => !have.has(d))) {
        // One database per service; names come from the validated manifest ([a-z_]+).
        await db.query(`create database ${name}`);
      }
    } finally {
      await db.end();
    }
  },
};
