import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = join(__dirname, '../../..');
const node = join(repo, 'node_modules/.bin/node');
const preload = ['--require', 'tsx/cjs', '--require', join(repo, 'libs/telemetry/src/register.ts')];
/** Nothing listens here: every export fails with UNAVAILABLE. */
const unreachable = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', TRACEHOP_SHUTDOWN_TIMEOUT_MS: '2000' };

describe('telemetry never harms the service', () => {
  it('log lines carry trace_id, span_id, trace_flags and service.name of the active span', async () => {
    const { stdout } = await run(node, [...preload, join(__dirname, 'fixtures/log-in-span.ts')], {
      cwd: repo,
      env: { ...process.env, ...unreachable, OTEL_SERVICE_NAME: 'log-fixture' },
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, string>);
    const ids = lines.pop()!;
    expect(lines.find((l) => l.message === 'inside the span')).toMatchObject({
      level: 'info',
      'service.name': 'log-fixture',
      trace_id: ids.traceId,
      span_id: ids.spanId,
      trace_flags: '01',
      step: 1,
    });
  });

  it('with the collector unreachable, the service answers every request, warns rarely, and exits on SIGTERM within the shutdown bound', async () => {
    const service = spawn(node, [...preload, join(repo, 'bench/fixtures/http-service.ts')], {
      cwd: repo,
      env: { ...process.env, ...unreachable, OTEL_SERVICE_NAME: 'outage-fixture', PORT: '3998' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    service.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    service.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((listening) => {
      const poll = setInterval(() => stdout.includes('listening') && (clearInterval(poll), listening()), 50);
    });

    const statuses: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => fetch('http://127.0.0.1:3998/orders')));
      statuses.push(...answers.map((a) => a.status));
    }
    expect(statuses).toHaveLength(500);
    expect(new Set(statuses)).toEqual(new Set([200]));

    const stopping = Date.now();
    const exited = new Promise<number | null>((done) => service.once('exit', (code) => done(code)));
    service.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(stdout).toContain('"served":500');
    const warnings = stderr.split('\n').filter((line) => line.startsWith('tracehop telemetry:'));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(3);
  });
});
