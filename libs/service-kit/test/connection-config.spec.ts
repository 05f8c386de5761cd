import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectionConfig } from '../src/database/connection-config';

describe('connectionConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pgpass-'));
  const file = join(dir, 'pgpass');
  const saved = process.env.PGPASSFILE;

  beforeAll(() => {
    writeFileSync(file, '127.0.0.1:5432:*:postgres:from-the-file\nother-host:5432:*:postgres:not-this-one\n', { mode: 0o600 });
    process.env.PGPASSFILE = file;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.PGPASSFILE;
    else process.env.PGPASSFILE = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the URL's own password", () => {
    expect(connectionConfig('postgres://app:in-the-url@127.0.0.1:5432/orders')).toMatchObject({
      user: 'app',
      password: 'in-the-url',
      database: 'orders',
      port: 5432,
    });
  });

  it('reads a URL without password from PGPASSFILE, matching host, port and user', async () => {
    const config = connectionConfig('postgres://postgres@127.0.0.1:5432/orders');
    expect(typeof config.password).toBe('function');
    await expect((config.password as () => Promise<string>)()).resolves.toBe('from-the-file');
  });

  it('names the file when it has no entry for the connection', async () => {
    const config = connectionConfig('postgres://someone@127.0.0.1:5432/orders');
    await expect((config.password as () => Promise<string>)()).rejects.toThrow(`no password for someone@127.0.0.1:5432 in ${file}`);
  });
});
