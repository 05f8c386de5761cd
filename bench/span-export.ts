/**
 * Whether the SDK keeps up beyond a service's peak: spans shaped like user-service's GET /users/:id
 * (a SERVER span and its pg.query child, bench/fixtures/span-source.ts) made at multiples of the
 * peak rate bench:cost measured, through tracehop's telemetry as configured by default (batch span
 * processor, OTLP gRPC to the agent). Per run: spans made, spans the batch processor handed on and
 * dropped (its own otel.sdk.processor.span.processed, read from Prometheus), and the generator's CPU
 * per 1,000 spans (making, batching, serialising, sending). Rounds rotate the multiples.
 * Writes bench/results/span-export-<date>.{json,md}. Needs the stack up:
 *   npm run bench:spans [-- --from bench/results/telemetry-cost-<date>.json --multiples 1,2,4]
 */
import '../infra/stack/src/quiet-timer-warning';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Command } from 'commander';
import { machine, readResults, RESULTS_DIR, table, withResultOptions, writeResults } from './lib/results';
import { rotated } from './lib/rotation';
import { spanProcessorCounts } from './lib/span-processor-counts';
import { formatSpread, spread } from './lib/spread';

const options = withResultOptions(new Command())
  .option('--from <file>', "a bench:cost result: the peak is `full`'s best median saturation there (default: today's newest)")
  .option('--peak-spans <n>', 'the peak in spans per second, instead of --from', Number)
  .option('--multiples <list>', 'rates to offer, as multiples of the peak', '1,2,4')
  .option('--seconds <n>', 'duration of each run', Number, 20)
  .option('--rounds <n>', 'repetitions of every multiple', Number, 3)
  .parse()
  .opts<{ from?: string; peakSpans?: number; multiples: string; seconds: number; rounds: number; label?: string; replot?: string }>();

const repo = join(__dirname, '..');
/** GET /users/:id makes two spans: the server span and pg.query (docs/performance.md, span budget). */
const SPANS_PER_REQUEST = 2;

/** The rate the multiples are of, and where it was read. */
interface Peak {
  spansPerSecond: number;
  source: string;
}

interface Run {
  multiple: number;
  round: number;
  offeredSpansPerSecond: number;
  madeSpansPerSecond: number;
  made: number;
  processed: number;
  dropped: number;
  cpuMillisPer1000Spans: number;
}

/** `full`'s peak in bench:cost's result: the better of its median saturation pinned and on the whole machine, in spans/s. */
function peakFromCostResult(file: string): number {
  type CostRun = { config: string; saturationPinned: { requestsPerSecond: number }; saturationShared: { requestsPerSecond: number } };
  const full = readResults<unknown, CostRun>(file).runs.filter((run) => run.config === 'full');
  const pinned = spread(full.map((run) => run.saturationPinned.requestsPerSecond)).median;
  const shared = spread(full.map((run) => run.saturationShared.requestsPerSecond)).median;
  const peak = Math.max(pinned, shared);
  if (!Number.isFinite(peak)) throw new Error(`${file} has no saturation figures for full: run bench:cost with --saturation-seconds`);
  return Math.round(peak * SPANS_PER_REQUEST);
}

/** Today's newest bench:cost result without a label (a second run of the day is -2, -3, …). */
function todaysCostResult(): string | undefined {
  const name = new RegExp(`^telemetry-cost-${new Date().toISOString().slice(0, 10)}(-\\d+)?\\.json$`);
  return readdirSync(RESULTS_DIR)
    .filter((file) => name.test(file))
    .map((file) => join(RESULTS_DIR, file))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

function peakSpans(): Peak {
  if (options.peakSpans) return { spansPerSecond: options.peakSpans, source: '--peak-spans' };
  const file = options.from ?? todaysCostResult();
  if (!file || !existsSync(file))
    throw new Error(`no bench:cost result (${file ?? 'none of today'}): run npm run bench:cost first, or pass --from or --peak-spans`);
  return { spansPerSecond: peakFromCostResult(file), source: relative(repo, file) };
}

/** One run of the generator; resolves with what it made once it has flushed and exited. */
function generate(pairsPerSecond: number, instance: string): Promise<{ pairs: number; seconds: number; cpuMillis: number }> {
  const child = spawn(
    join(repo, 'node_modules/.bin/node'),
    ['--require', 'tsx/cjs', '--require', join(repo, 'libs/telemetry/src/register.ts'), join(__dirname, 'fixtures/span-source.ts')],
    {
      cwd: repo,
      env: {
        ...process.env,
        PAIRS: String(pairsPerSecond),
        SECONDS: String(options.seconds),
        OTEL_SERVICE_NAME: 'span-source',
        // Names this process in Prometheus, where its span processor reports what it dropped.
        OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('{"pairs"'));
      if (code !== 0 || !line) reject(new Error(`span source exited with ${code}:\n${output.slice(-2000)}`));
      else resolve(JSON.parse(line) as { pairs: number; seconds: number; cpuMillis: number });
    }),
  );
}

async function measure(multiple: number, round: number, peak: number): Promise<Run> {
  const instance = randomUUID();
  const offered = peak * multiple;
  const made = await generate(Math.round(offered / SPANS_PER_REQUEST), instance);
  const counts = await spanProcessorCounts(instance);
  const spans = made.pairs * SPANS_PER_REQUEST;
  const run: Run = {
    multiple,
    round,
    offeredSpansPerSecond: offered,
    madeSpansPerSecond: Math.round(spans / made.seconds),
    made: spans,
    processed: counts.processed,
    dropped: counts.dropped,
    cpuMillisPer1000Spans: Math.round((made.cpuMillis / spans) * 1000 * 10) / 10,
  };
  console.log(JSON.stringify(run));
  return run;
}

function report(multiples: number[], runs: Run[], peak: Peak, about = machine()): void {
  const of = (multiple: number, figure: (run: Run) => number) => spread(runs.filter((r) => r.multiple === multiple).map(figure));
  const markdown =
    `# Span export beyond the peak\n\n${about.date}, ${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB, Node ${about.node}; ` +
    `peak ${peak.spansPerSecond} spans/s (${peak.source}); ${options.rounds} rounds of ${options.seconds} s per rate; median (min–max).\n\n` +
    table(
      [
        'offered',
        'spans/s offered',
        'spans/s made',
        'spans made',
        'spans exported by the SDK',
        'spans dropped by the SDK',
        'CPU ms per 1,000 spans',
      ],
      multiples.map((m) => [
        `${m}× peak`,
        String(peak.spansPerSecond * m),
        formatSpread(
          of(m, (r) => r.madeSpansPerSecond),
          0,
        ),
        formatSpread(
          of(m, (r) => r.made),
          0,
        ),
        formatSpread(
          of(m, (r) => r.processed),
          0,
        ),
        formatSpread(
          of(m, (r) => r.dropped),
          0,
        ),
        formatSpread(
          of(m, (r) => r.cpuMillisPer1000Spans),
          1,
        ),
      ]),
    );
  const stem = writeResults(
    options.label ? `span-export-${options.label}` : 'span-export',
    { machine: about, options, peak, runs },
    markdown,
  );
  console.log(markdown);
  console.log(`written: ${stem}.{json,md}`);
}

async function main(): Promise<void> {
  const multiples = options.multiples.split(',').map(Number);
  if (options.replot) {
    const saved = readResults<typeof options, Run>(options.replot) as ReturnType<typeof readResults<typeof options, Run>> & { peak: Peak };
    Object.assign(options, saved.options, { replot: undefined });
    return report(options.multiples.split(',').map(Number), saved.runs, saved.peak, saved.machine);
  }
  const peak = peakSpans();
  const runs: Run[] = [];
  for (let round = 0; round < options.rounds; round++)
    for (const multiple of rotated(multiples, round)) runs.push(await measure(multiple, round, peak.spansPerSecond));
  report(multiples, runs, peak);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
