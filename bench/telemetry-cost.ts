/**
 * What telemetry costs a real service: user-service's `GET /users/:id` (HTTP, Nest, one Postgres
 * query) under each telemetry configuration, side by side, repeated in rotating order:
 *   - in-process cost, contention-free: the service pinned to CPU 1, the load generator to CPU 0,
 *     a fixed request rate below saturation, CPU time per request from the kernel's accounting;
 *     then saturation throughput with the same pinning;
 *   - the whole machine: saturation with nothing pinned, the stack exporting on the same cores.
 * Writes bench/results/telemetry-cost-<date>.{json,md,*.png}. Needs the stack up and a build:
 *   npm run stack -- up && npm run build && npm run bench:cost [-- --rounds 3 --rate 400]
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { waitUntil } from '../infra/stack/src/wait-until';
import { prometheusValue } from '../test/support/backends';
import { launchService, stopService, waitUntilReady, type RunningService } from '../test/support/services';
import { registerBenchUser } from './lib/bench-user';
import { CONFIGURATIONS } from './lib/configurations';
import { driveHttp, type LoadResult } from './lib/http-load';
import { barsWithRange, writePng } from './lib/plot';
import { cpuMillis, pin, rssMegabytes } from './lib/process-usage';
import { machine, readResults, table, withResultOptions, writeResults } from './lib/results';
import { formatSpread, spread } from './lib/spread';

const options = withResultOptions(new Command())
  .option('--configs <list>', 'configurations to compare (first is the baseline)', 'off,unsampled,full,ratio10,ratelimit')
  .option('--rounds <n>', 'repetitions of every configuration', Number, 3)
  .option('--rate <n>', 'fixed request rate for CPU per request', Number, 400)
  .option('--seconds <n>', 'duration of the fixed-rate measurement', Number, 20)
  .option('--saturation-seconds <n>', 'duration of each saturation run (0: none)', Number, 15)
  .option('--connections <n>', 'connections of the saturation runs', Number, 16)
  .parse()
  .opts<{
    configs: string;
    rounds: number;
    rate: number;
    seconds: number;
    saturationSeconds: number;
    connections: number;
    label?: string;
    replot?: string;
  }>();

const PORT = '3201';
const NOT_MEASURED: LoadResult = { requestsPerSecond: NaN, p50Millis: NaN, p99Millis: NaN, ok: 0, failed: 0 };
const BASE = `http://127.0.0.1:${PORT}`;

interface Run {
  config: string;
  round: number;
  cpuMillisPerRequest: number;
  fixedRate: LoadResult;
  saturationPinned: LoadResult;
  saturationShared: LoadResult;
  rssMegabytes: number;
  /** Spans the SDK's batch processor dropped (queue full) over the whole run; NaN with the SDK off. */
  droppedSpans: number;
}

async function startUserService(env: Record<string, string>, instance: string): Promise<RunningService> {
  const service = launchService('user-service', {
    ...env,
    PORT,
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
    // Names this process in Prometheus, where its span processor reports what it dropped.
    OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
  });
  await waitUntilReady(service);
  return service;
}

async function measure(config: string, round: number, userId: string): Promise<Run> {
  const instance = randomUUID();
  const service = await startUserService(CONFIGURATIONS[config].env, instance);
  const pid = service.process.pid!;
  const url = `${BASE}/users/${userId}`;
  try {
    pin(process.pid, '0');
    pin(pid, '1');
    await driveHttp({ url, seconds: 5, connections: 8, rate: options.rate }); // warm-up: JIT, pools
    const before = cpuMillis(pid);
    const fixedRate = await driveHttp({ url, seconds: options.seconds, connections: 8, rate: options.rate });
    const cpuMillisPerRequest = (cpuMillis(pid) - before) / fixedRate.ok;
    const rss = rssMegabytes(pid);
    const saturate = () =>
      options.saturationSeconds > 0
        ? driveHttp({ url, seconds: options.saturationSeconds, connections: options.connections })
        : NOT_MEASURED;
    const saturationPinned = await saturate();
    pin(process.pid, '0-1');
    pin(pid, '0-1');
    const saturationShared = await saturate();
    await stopService(service); // its last metrics are flushed on the way out
    const droppedSpans = CONFIGURATIONS[config].env.OTEL_SDK_DISABLED === 'true' ? NaN : await spansDropped(instance);
    const run = { config, round, cpuMillisPerRequest, fixedRate, saturationPinned, saturationShared, rssMegabytes: rss, droppedSpans };
    console.log(JSON.stringify(run));
    return run;
  } finally {
    pin(process.pid, '0-1');
    await stopService(service);
  }
}

/**
 * The SDK's own count of spans its batch processor dropped (otel.sdk.processor.span.processed with
 * error.type=queue_full) for one service instance, once Prometheus holds that instance's final
 * figures: the processed count reads the same twice, a scrape interval (5 s) apart.
 */
async function spansDropped(instance: string): Promise<number> {
  const total = (errorType: string) =>
    prometheusValue(`sum(otel_sdk_processor_span_processed_total{instance="${instance}", error_type="${errorType}"})`);
  // null: not read yet. Undefined twice in a row: this instance never processed a span (always_off).
  let last: number | undefined | null = null;
  await waitUntil(
    async () => {
      const now = await total('');
      const settled = now === last;
      last = now;
      return settled;
    },
    { what: `span processor metrics of ${instance} in Prometheus`, timeoutMs: 90_000, intervalMs: 6_000 },
  );
  return (await total('queue_full')) ?? 0;
}

async function main(): Promise<void> {
  if (options.replot) {
    const saved = readResults<typeof options, Run>(options.replot);
    Object.assign(options, saved.options, { replot: undefined });
    return report(options.configs.split(','), saved.runs, saved.machine);
  }
  if (!existsSync(join(__dirname, '../dist/apps/user-service/src/main.js'))) throw new Error('no build: run npm run build first');
  const configs = options.configs.split(',');
  for (const c of configs)
    if (!CONFIGURATIONS[c]) throw new Error(`unknown configuration ${c}; known: ${Object.keys(CONFIGURATIONS).join(', ')}`);
  const userId = await registerBenchUser(PORT);
  const runs: Run[] = [];
  for (let round = 0; round < options.rounds; round++) {
    // Rotating order: a drift of the machine over time does not always hit the same configuration.
    const order = configs.map((_, i) => configs[(i + round) % configs.length]);
    for (const config of order) runs.push(await measure(config, round, userId));
  }
  await report(configs, runs);
}

/** Each figure of a configuration over the rounds, and its ratio to the baseline's figure of the same round. */
function figures(configs: string[], runs: Run[], figure: (run: Run) => number) {
  const of = (config: string, round: number) => runs.find((r) => r.config === config && r.round === round)!;
  return Object.fromEntries(
    configs.map((config) => {
      const rounds = [...new Set(runs.map((r) => r.round))];
      return [
        config,
        {
          value: spread(rounds.map((round) => figure(of(config, round)))),
          ratio: spread(rounds.map((round) => figure(of(config, round)) / figure(of(configs[0], round)))),
        },
      ];
    }),
  );
}

async function report(configs: string[], runs: Run[], about = machine()): Promise<void> {
  const cpu = figures(configs, runs, (r) => r.cpuMillisPerRequest);
  const pinned = figures(configs, runs, (r) => r.saturationPinned.requestsPerSecond);
  const shared = figures(configs, runs, (r) => r.saturationShared.requestsPerSecond);
  const p99 = figures(configs, runs, (r) => r.fixedRate.p99Millis);
  const rss = figures(configs, runs, (r) => r.rssMegabytes);
  // Older results have no drop count: shown as "—".
  const dropped = figures(configs, runs, (r) => r.droppedSpans ?? NaN);
  const markdown =
    `# Telemetry cost: user-service GET /users/:id\n\n${about.date}, ${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB, Node ${about.node}; ` +
    `${options.rounds} rounds; median (min–max); ratios against \`${configs[0]}\` in the same round.\n\n` +
    table(
      [
        'configuration',
        'CPU ms/request',
        '× CPU',
        `p99 at ${options.rate}/s (ms)`,
        'req/s pinned',
        '× pinned',
        'req/s whole machine',
        '× whole machine',
        'RSS MiB',
        'spans dropped by the SDK',
      ],
      configs.map((c) => [
        `\`${c}\`: ${CONFIGURATIONS[c].description}`,
        formatSpread(cpu[c].value, 3),
        formatSpread(cpu[c].ratio),
        formatSpread(p99[c].value, 0),
        formatSpread(pinned[c].value, 0),
        formatSpread(pinned[c].ratio),
        formatSpread(shared[c].value, 0),
        formatSpread(shared[c].ratio),
        formatSpread(rss[c].value, 0),
        formatSpread(dropped[c].value, 0),
      ]),
    );
  const stem = writeResults(
    options.label ? `telemetry-cost-${options.label}` : 'telemetry-cost',
    { machine: about, options, configurations: CONFIGURATIONS, runs },
    markdown,
  );
  await writePng(
    barsWithRange({
      title: `CPU per request, × telemetry off (GET /users/:id at ${options.rate}/s, pinned)`,
      axis: '× CPU time per request',
      values: configs.map((c) => ({ label: c, ...cpu[c].ratio })),
      rule: { value: 1.15, label: 'target 1.15×' },
    }),
    `${stem}-cpu.png`,
  );
  if (options.saturationSeconds > 0)
    await writePng(
      barsWithRange({
        title: 'Saturation throughput, × telemetry off',
        axis: '× requests/s',
        values: configs.flatMap((c) => [
          { label: c, series: 'service pinned to one core', ...pinned[c].ratio },
          { label: c, series: 'whole machine shared', ...shared[c].ratio },
        ]),
        rule: { value: 0.7, label: 'target 0.7×' },
      }),
      `${stem}-throughput.png`,
    );
  console.log(markdown);
  console.log(`written: ${stem}.{json,md} and -cpu.png, -throughput.png`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
