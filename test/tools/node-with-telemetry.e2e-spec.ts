import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const launcher = join(__dirname, '../../tools/node-with-telemetry');

/** What a service started through the launcher sees of these variables (the build's register file is preloaded). */
function seenBy(env: Record<string, string>): Record<string, string | undefined> {
  const { PGPASSFILE: _pg, TRACEHOP_KAFKA_KEY_SALT: _salt, ...inherited } = process.env;
  const out = execFileSync(
    launcher,
    ['-e', 'console.log(JSON.stringify({ pg: process.env.PGPASSFILE, salt: process.env.TRACEHOP_KAFKA_KEY_SALT }))'],
    { env: { ...inherited, OTEL_SDK_DISABLED: 'true', ...env } },
  );
  return JSON.parse(out.toString()) as Record<string, string | undefined>;
}

describe('tools/node-with-telemetry (how every service is started)', () => {
  const state = mkdtempSync(join(tmpdir(), 'launcher-state-'));
  beforeAll(() => {
    mkdirSync(join(state, 'secrets'));
    writeFileSync(join(state, 'secrets/pgpass'), '127.0.0.1:5432:*:postgres:x\n');
    writeFileSync(join(state, 'secrets/kafka-key-salt'), 'per-deployment-salt');
  });
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  it("hands a service the stack's Postgres password file and its Kafka key salt", () => {
    expect(seenBy({ TRACEHOP_STATE_DIR: state })).toEqual({ pg: join(state, 'secrets/pgpass'), salt: 'per-deployment-salt' });
  });

  it('keeps what the caller set', () => {
    expect(seenBy({ TRACEHOP_STATE_DIR: state, PGPASSFILE: '/elsewhere', TRACEHOP_KAFKA_KEY_SALT: 'mine' })).toEqual({
      pg: '/elsewhere',
      salt: 'mine',
    });
  });
});
