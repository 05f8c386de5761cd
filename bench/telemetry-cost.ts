/**
 * What telemetry costs a real service: user-service's `GET /users/:id` (HTTP, Nest, one Postgres
 * query) under each telemetry configuration, side by side:
 *   - in-process cost, contention-free: one service per configuration, all running at once; rounds
 *     of short slices at a fixed request rate below saturation, one slice per configuration in
 *     rotating order, the driven service alone on CPU 1 and everything else (the load generator,
 *     the other services, the stack that indexes the spans) on CPU 0; CPU time per request from
 *     the kernel's accounting of each slice. Slices of one round lie seconds apart,
 *     so a drift of the machine (other tenants, the stack indexing spans) hits every configuration
 *     alike, where one long run per configuration let it land on one of them;
 *   - saturation throughput with the service confined to CPU 1 and the load generator to CPU 0, and
 *     with nothing pinned (the whole machine: the stack exporting on the same cores), per round and
 *     configuration in rotating order.
 * Writes bench/results/telemetry-cost-<date>.{json,md,*.png}. Needs the stack up and a build:
 *   npm run stack -- up && npm run build && npm run bench:cost [-- --rounds 8 --seconds 8 --rate 400]
 */
import '../infra/stack/src/quiet-timer-warning';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { launchService, stopService, waitUntilReady, type RunningService } from '../test/support/services';
import { writePng } from '../tools/charts/write-png';
import { registerBenchUser } from './lib/bench-user';
import { CONFIGURATIONS } from './lib/configurations';
import { driveHttp, type LoadResult } from './lib/http-load';
import { barsWithRange } from './lib/plot';
import { pinProcessTree } from './lib/process-tree-usage';
import { cpuMillis, pin, rssMegabytes } from './lib/process-usage';
import { machine, readResults, table, withResultOptions, writeResults } from './lib/results';
import { rotated } from './lib/rotation';
import { spanProcessorCounts } from './lib/span-processor-counts';
import { formatSpread, spread } from './lib/spread';
import { stackProcessIds } from './lib/stack-processes';

const options = withResultOptions(new Command())
  .option('--configs <list>', 'configurations to compare (first is the baseline)', 'off,unsampled,full,ratio10,ratelimit')
  .option('--rounds <n>', 'repetitions of every configuration', Number, 8)
  .option('--rate <n>', 'fixed request rate for CPU per request', Number, 400)
  .option('--seconds <n>', 'duration of each fixed-rate slice', Number, 8)
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

const FIRST_PORT = 3201;
const NOT_MEASURED: LoadResult = { requestsPerSecond: NaN, p50Millis: NaN, p99Millis: NaN, ok: 0, failed: 0 };

interface Run {
  config: string;
  round: number;
  cpuMillisPerRequest: number;
  fixedRate: LoadResult;
  saturationPinned: LoadResult;
  saturationShared: LoadResult;
  rssMegabytes: number;
  /** Spans the SDK's batch processor dropped (queue full) over the whole run (every round alike); NaN with the SDK off. */
  droppedSpans: number;
}

/** One configuration's service, running for the whole benchmark. */
interface Contender {
  config: string;
  service: RunningService;
  /** service.instance.id: how Prometheus tells this process's figures apart. */
  instance: string;
  url: string;
}

async function startContender(config: string, port: number, userId: string): Promise<Contender> {
  const instance = randomUUID();
  const service = launchService('user-service', {
    ...CONFIGURATIONS[config].env,
    PORT: String(port),
    OTEL_METRIC_EXPORT_INTERVAL: '10000',
    // Names this process in Prometheus, where its span processor reports what it dropped.
    OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
  });
  await waitUntilReady(service);
  return { config, service, instance, url: `http://127.0.0.1:${port}/users/${userId}` };
}

/**
 * Where the processes run. Isolated: the driven service alone on CPU 1, everything else (the load
 * generator, the other services, the stack that indexes the spans) on CPU 0 — otherwise their work,
 * above all the pipeline's on this very configuration's spans, would share its core, evict its
 * caches and lengthen its requests: contention, not the service's own cost. Shared: everything on
 * both cores, as on a laptop or a small node.
 */
class Placement {
  constructor(
    private readonly contenders: Contender[],
    private readonly stack: number[],
  ) {}

  isolate(driven: Contender): void {
    for (const root of this.everyoneBut(driven)) pinProcessTree(root, '0');
    pin(driven.service.process.pid!, '1');
  }

  /**
   * The service held to CPU 1 and the load generator to CPU 0, the rest anywhere: at saturation the
   * stack needs room to take the spans, and squeezed onto the load generator's core it fell behind
   * (the SDKs' queues overflowed).
   */
  confine(driven: Contender): void {
    this.share();
    pin(process.pid, '0');
    pin(driven.service.process.pid!, '1');
  }

  share(): void {
    for (const root of this.everyoneBut()) pinProcessTree(root, '0-1');
  }

  private everyoneBut(driven?: Contender): number[] {
    return [process.pid, ...this.stack, ...this.contenders.filter((c) => c !== driven).map((c) => c.service.process.pid!)];
  }
}

/** CPU time per request of one fixed-rate slice, the service isolated. */
async function fixedRateSlice(driven: Contender, placement: Placement): Promise<{ cpuMillisPerRequest: number; load: LoadResult }> {
  const pid = driven.service.process.pid!;
  placement.isolate(driven);
  const before = cpuMillis(pid);
  const load = await driveHttp({ url: driven.url, seconds: options.seconds, connections: 8, rate: options.rate });
  return { cpuMillisPerRequest: (cpuMillis(pid) - before) / load.ok, load };
}

/** Saturation throughput, the service confined to one core, then sharing the machine. */
async function saturation(driven: Contender, placement: Placement): Promise<{ pinned: LoadResult; shared: LoadResult }> {
  if (options.saturationSeconds <= 0) return { pinned: NOT_MEASURED, shared: NOT_MEASURED };
  const drive = () => driveHttp({ url: driven.url, seconds: options.saturationSeconds, connections: options.connections });
  placement.confine(driven);
  const pinned = await drive();
  placement.share();
  const shared = await drive();
  return { pinned, shared };
}

const stackPids = async () => Object.values(await stackProcessIds());

async function measure(configs: string[], userId: string): Promise<Run[]> {
  const contenders: Contender[] = [];
  let placement: Placement | undefined;
  try {
    for (const [i, config] of configs.entries()) contenders.push(await startContender(config, FIRST_PORT + i, userId));
    placement = new Placement(contenders, await stackPids());
    for (const contender of contenders) await driveHttp({ url: contender.url, seconds: 5, connections: 8, rate: options.rate }); // warm-up: JIT, pools
    const runs: Run[] = [];
    for (let round = 0; round < options.rounds; round++)
      for (const contender of rotated(contenders, round)) {
        const { cpuMillisPerRequest, load } = await fixedRateSlice(contender, placement);
        const run = {
          config: contender.config,
          round,
          cpuMillisPerRequest,
          fixedRate: load,
          saturationPinned: NOT_MEASURED,
          saturationShared: NOT_MEASURED,
          rssMegabytes: rssMegabytes(contender.service.process.pid!),
          droppedSpans: NaN,
        };
        console.log(JSON.stringify(run));
        runs.push(run);
      }
    const runOf = (contender: Contender, round: number) => runs.find((r) => r.config === contender.config && r.round === round)!;
    // Saturation takes longer per run: as many rounds as give a spread, at most three.
    for (let round = 0; round < Math.min(options.rounds, 3); round++)
      for (const contender of rotated(contenders, round)) {
        const { pinned, shared } = await saturation(contender, placement);
        Object.assign(runOf(contender, round), { saturationPinned: pinned, saturationShared: shared });
        console.log(JSON.stringify({ config: contender.config, round, saturationPinned: pinned, saturationShared: shared }));
      }
    placement.share();
    // Stopped first: their last metrics are flushed on the way out.
    await Promise.all(contenders.map((c) => stopService(c.service)));
    for (const contender of contenders) {
      if (CONFIGURATIONS[contender.config].env.OTEL_SDK_DISABLED === 'true') continue;
      const dropped = (await spanProcessorCounts(contender.instance)).dropped;
      for (const run of runs) if (run.config === contender.config) run.droppedSpans = dropped;
    }
    return runs;
  } finally {
    (placement ?? new Placement(contenders, await stackPids())).share();
    await Promise.all(contenders.map((c) => stopService(c.service)));
  }
}

async function main(): Promise<void> {
  if (options.replot) {
    const saved = readResults<typeof options, Run>(options.replot);
    Object.assign(options, saved.options, { replot: undefined });
    return report(options.configs.split(','), saved.runs, saved.machine);
  }
  if (!existsSync(join(__dirname, '../dist/apps/user-service/src/main.js'))) throw new Error('no build: run npm run build first');
  const configs = options.configs.split(',');
  for (const c of configs) {
    if (!CONFIGURATIONS[c]) throw new Error(`unknown configuration ${c}; known: ${Object.keys(CONFIGURATIONS).join(', ')}`);
    // Every configuration's service runs at once here, against the one gateway.
    if (CONFIGURATIONS[c].gateway) throw new Error(`${c} configures the gateway: bench:orders measures it`);
  }
  const userId = await registerBenchUser(String(FIRST_PORT));
  await report(configs, await measure(configs, userId));
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
    `${options.rounds} rounds of ${options.seconds} s at ${options.rate} requests/s per configuration, every configuration's service running at once ` +
    `(saturation: ${Math.min(options.rounds, 3)} rounds of ${options.saturationSeconds} s); median (min–max); ratios against \`${configs[0]}\` in the same round.\n\n` +
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
