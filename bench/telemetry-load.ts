/**
 * What telemetry costs a service, and what happens when the collector goes away: drives a small
 * HTTP service (bench/fixtures/http-service.ts) with autocannon at a fixed rate, side by side:
 *   1. no telemetry (OTEL_SDK_DISABLED)                 → throughput, p99, memory baseline
 *   2. telemetry with the SDK's batch defaults          → spans lost at the agent
 *   3. telemetry with tracehop's batch sizing           → spans lost at the agent
 *   4. tracehop sizing with the agent stopped (60 s)    → throughput and memory over time
 * Spans that reached the agent are counted from its own metrics (otelcol_receiver_accepted_spans).
 * Run with the stack up: npm run bench:telemetry [-- --rate 1000 --seconds 20 --outage-seconds 60]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { down, up } from '../infra/stack/src/stack';
import { collectorCounter, endpoints } from '../test/support/backends';

const repo = join(__dirname, '..');
const options = new Command()
  .option('--rate <n>', 'requests per second', Number, 1000)
  .option('--seconds <n>', 'duration of scenarios 1–3', Number, 20)
  .option('--outage-seconds <n>', 'duration of scenario 4', Number, 60)
  .parse()
  .opts<{ rate: number; seconds: number; outageSeconds: number }>();

const SDK_DEFAULTS = { OTEL_BSP_MAX_QUEUE_SIZE: '2048', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512', OTEL_BSP_SCHEDULE_DELAY: '5000' };

interface Service {
  child: ChildProcess;
  /** Requests the service answered, as it reports on exit. */
  served: Promise<number>;
}

function startService(name: string, env: Record<string, string>): Promise<Service> {
  const child = spawn(
    join(repo, 'node_modules/.bin/node'),
    [
      '--expose-gc',
      '--require',
      'tsx/cjs',
      '--require',
      join(repo, 'libs/telemetry/src/register.ts'),
      join(__dirname, 'fixtures/http-service.ts'),
    ],
    { cwd: repo, env: { ...process.env, PORT: '3999', OTEL_SERVICE_NAME: name, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  const served = new Promise<number>((resolve) => child.once('exit', () => resolve(Number(/"served":(\d+)/.exec(output)?.[1] ?? NaN))));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve({ child, served });
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
}

/** SIGTERM lets telemetry flush (bounded); resolves with the requests served once the process is gone. */
function stopService(service: Service): Promise<number> {
  service.child.kill('SIGTERM');
  return service.served;
}

/** Resident memory, and heap retained after a full collection (what a leak would grow). */
async function memoryMegabytes(): Promise<{ rss: number; heapAfterGc: number }> {
  const usage = (await (await fetch('http://127.0.0.1:3999/__memory')).json()) as { rss: number; heapUsed: number };
  return { rss: Math.round(usage.rss / 2 ** 20), heapAfterGc: Math.round(usage.heapUsed / 2 ** 20) };
}

const agentAcceptedSpans = () => collectorCounter(endpoints.agentMetrics, 'otelcol_receiver_accepted_spans');

async function load(seconds: number, sample: (elapsed: number) => void) {
  let elapsed = 0;
  const timer = setInterval(() => sample(++elapsed), 1000);
  const result = await autocannon({ url: 'http://127.0.0.1:3999/orders', connections: 20, overallRate: options.rate, duration: seconds });
  clearInterval(timer);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p99Millis: result.latency.p99,
    ok: result['2xx'],
    errors: result.errors + result.non2xx,
  };
}

async function scenario(name: string, env: Record<string, string>, seconds: number, countSpans: boolean) {
  const service = await startService(`bench-${name}`, env);
  const before = countSpans ? await agentAcceptedSpans() : 0;
  const memory: { rss: number; heapAfterGc: number }[] = [];
  const result = await load(
    seconds,
    (s) =>
      s % 10 === 0 &&
      void memoryMegabytes().then(
        (m) => memory.push(m),
        () => undefined,
      ),
  );
  const served = await stopService(service);
  const spans = countSpans ? (await agentAcceptedSpans()) - before : undefined;
  // The memory probes are requests too, and get server spans.
  const lost = spans === undefined ? undefined : served + memory.length - spans;
  const row = { scenario: name, ...result, served, spansAtAgent: spans, spansLost: lost, memoryEvery10s: memory };
  console.log(JSON.stringify(row));
  return row;
}

async function main(): Promise<void> {
  const rows = [];
  rows.push(await scenario('no-telemetry', { OTEL_SDK_DISABLED: 'true' }, options.seconds, false));
  rows.push(await scenario('sdk-default-batching', SDK_DEFAULTS, options.seconds, true));
  rows.push(await scenario('tracehop-batching', {}, options.seconds, true));
  await down(['agent']);
  try {
    rows.push(await scenario('agent-down', {}, options.outageSeconds, false));
  } finally {
    await up(['agent']);
  }
  const out = join(__dirname, 'results', `telemetry-load-${new Date().toISOString().slice(0, 10)}.json`);
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: `${availableParallelism()} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
        options,
        rows,
      },
      null,
      2,
    ),
  );
  const range = (values: number[]) => (values.length ? `${Math.min(...values)}–${Math.max(...values)}` : 'n/a');
  console.table(
    rows.map(({ memoryEvery10s, ...r }) => ({
      ...r,
      rssMB: range(memoryEvery10s.map((m) => m.rss)),
      heapAfterGcMB: range(memoryEvery10s.map((m) => m.heapAfterGc)),
    })),
  );
  console.log(`written: ${out}`);
}

void main();
