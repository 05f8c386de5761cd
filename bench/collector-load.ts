/**
 * What the collectors cost and how fresh traces are: telemetrygen sends spans to the agent at fixed
 * rates (agent → gateway → Jaeger → OpenSearch, the real pipeline); meanwhile probe spans, one every
 * couple of seconds, are timed from their end until Jaeger's API returns them. Reports, per rate,
 * the spans the agent accepted, CPU milliseconds per 10,000 spans and peak RSS of each pipeline
 * process, spans refused or failed anywhere, and span end → queryable p50/p95.
 * Writes bench/results/collector-load-<date>.{json,md,png}. Needs the stack up:
 *   npm run bench:collectors [-- --rates 1000,2500 --seconds 30 --rounds 2]
 */
import '../infra/stack/src/quiet-timer-warning';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { Command } from 'commander';
import { waitUntil } from '../infra/stack/src/wait-until';
import { collectorCounter, endpoints } from '../test/support/backends';
import { writePng } from '../tools/charts/write-png';
import { barsWithRange } from './lib/plot';
import { ProcessTreeUsage } from './lib/process-tree-usage';
import { rssMegabytes } from './lib/process-usage';
import { machine, readResults, table, withResultOptions, writeResults } from './lib/results';
import { formatSpread, spread } from './lib/spread';
import { stackProcessIds } from './lib/stack-processes';
import { sendSpans, telemetrygenBinary } from './lib/telemetrygen';

const options = withResultOptions(new Command())
  .option('--rates <list>', 'spans per second sent to the agent, one measurement each', '1000,2500')
  .option('--seconds <n>', 'how long each rate is sent', Number, 30)
  .option('--rounds <n>', 'repetitions of every rate', Number, 2)
  .option('--probe-every <ms>', 'pause between latency probes', Number, 2000)
  .parse()
  .opts<{ rates: string; seconds: number; rounds: number; probeEvery: number; label?: string; replot?: string }>();

const PIPELINE = ['agent', 'gateway', 'jaeger', 'search'] as const;
type PipelineProcess = (typeof PIPELINE)[number];

interface Run {
  rate: number;
  round: number;
  acceptedPerSecond: number;
  /** CPU milliseconds per 10,000 spans accepted by the agent. */
  cpuPer10k: Record<PipelineProcess, number>;
  peakRssMegabytes: Record<'agent' | 'gateway', number>;
  /** Spans refused by a receiver or failed by an exporter, agent and gateway together. */
  lost: number;
  probeLatencyMillis: { p50: number; p95: number; count: number };
}

/** Spans lost anywhere in the two collectors so far: refused by a receiver, failed or not queued by an exporter. */
async function lostSpans(): Promise<number> {
  const counts = await Promise.all(
    [endpoints.agentMetrics, endpoints.gatewayMetrics].flatMap((url) =>
      ['otelcol_receiver_refused_spans', 'otelcol_exporter_send_failed_spans', 'otelcol_exporter_enqueue_failed_spans'].map((name) =>
        collectorCounter(url, name),
      ),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Exports one span now and resolves with the milliseconds until Jaeger's API returns its trace. */
async function probeLatency(provider: TracerProvider): Promise<number> {
  const span = provider.getTracer('latency-probe').startSpan('latency probe');
  const traceId = span.spanContext().traceId;
  span.end();
  const ended = Date.now();
  return waitUntil(
    async () => {
      const response = await fetch(`${endpoints.jaeger}/api/traces/${traceId}?raw=true`);
      return response.ok ? Date.now() - ended : undefined;
    },
    { what: `probe trace ${traceId} in Jaeger`, timeoutMs: 120_000, intervalMs: 100 },
  );
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

async function measure(binary: string, rate: number, round: number, provider: TracerProvider): Promise<Run> {
  const pids = await stackProcessIds();
  for (const name of PIPELINE) if (!pids[name]) throw new Error(`${name} is not running: npm run stack -- up`);
  const roots = Object.fromEntries(PIPELINE.map((name) => [name, pids[name]]));
  const acceptedBefore = await collectorCounter(endpoints.agentMetrics, 'otelcol_receiver_accepted_spans');
  const lostBefore = await lostSpans();
  const usage = new ProcessTreeUsage(roots);
  const peakRss = { agent: 0, gateway: 0 };
  const sampler = setInterval(() => {
    for (const name of ['agent', 'gateway'] as const) peakRss[name] = Math.max(peakRss[name], rssMegabytes(pids[name]));
  }, 1000);
  // A probe every probeEvery ms while the load runs, each timed on its own (they overlap).
  const probes: Promise<number>[] = [];
  const prober = setInterval(() => probes.push(probeLatency(provider)), options.probeEvery);
  try {
    await sendSpans(binary, {
      endpoint: endpoints.agentGrpc,
      spansPerSecond: rate,
      seconds: options.seconds,
      workers: 2,
      service: 'bench-telemetrygen',
    });
  } finally {
    clearInterval(prober);
    clearInterval(sampler);
  }
  // The agent has what telemetrygen flushed; the CPU counts up to here, the probes in flight finish.
  const cpu = usage.read();
  const accepted = (await collectorCounter(endpoints.agentMetrics, 'otelcol_receiver_accepted_spans')) - acceptedBefore;
  const latencies = await Promise.all(probes);
  const run: Run = {
    rate,
    round,
    acceptedPerSecond: Math.round(accepted / options.seconds),
    cpuPer10k: Object.fromEntries(PIPELINE.map((name) => [name, Math.round((cpu[name] / accepted) * 10_000)])) as Run['cpuPer10k'],
    peakRssMegabytes: peakRss,
    lost: (await lostSpans()) - lostBefore,
    probeLatencyMillis: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), count: latencies.length },
  };
  console.log(JSON.stringify(run));
  return run;
}

async function main(): Promise<void> {
  if (options.replot) {
    const saved = readResults<typeof options, Run>(options.replot);
    Object.assign(options, saved.options, { replot: undefined });
    return report(saved.runs, saved.machine);
  }
  const binary = await telemetrygenBinary();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-latency-probe', 'service.namespace': 'tracehop-bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `http://${endpoints.agentGrpc}` }) })],
  });
  const rates = options.rates.split(',').map(Number);
  const runs: Run[] = [];
  try {
    for (let round = 0; round < options.rounds; round++)
      for (const rate of round % 2 ? [...rates].reverse() : rates) runs.push(await measure(binary, rate, round, provider));
  } finally {
    await provider.shutdown();
  }
  await report(runs);
}

async function report(runs: Run[], about = machine()): Promise<void> {
  const rates = [...new Set(runs.map((r) => r.rate))];
  const of = (rate: number) => runs.filter((r) => r.rate === rate);
  const figure = (rate: number, pick: (run: Run) => number) => formatSpread(spread(of(rate).map(pick)), 0);
  const markdown =
    `# Collectors under load\n\n${about.date}, ${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB; ${options.rounds} rounds; ` +
    `median (min–max). telemetrygen sends spans (a client span and a child per trace) to the agent for ${options.seconds} s per rate; ` +
    `every stage runs on the same machine. CPU in milliseconds per 10,000 spans the agent accepted; latency from a probe span's end ` +
    `until Jaeger's API returns it, one probe every ${options.probeEvery} ms.\n\n` +
    table(
      [
        'spans/s sent',
        'accepted/s',
        'agent CPU ms / 10k',
        'gateway CPU ms / 10k',
        'Jaeger CPU ms / 10k',
        'OpenSearch CPU ms / 10k',
        'agent peak RSS MiB',
        'gateway peak RSS MiB',
        'lost spans',
        'end → queryable p50 (ms)',
        'p95 (ms)',
      ],
      rates.map((rate) => [
        rate,
        figure(rate, (r) => r.acceptedPerSecond),
        figure(rate, (r) => r.cpuPer10k.agent),
        figure(rate, (r) => r.cpuPer10k.gateway),
        figure(rate, (r) => r.cpuPer10k.jaeger),
        figure(rate, (r) => r.cpuPer10k.search),
        figure(rate, (r) => r.peakRssMegabytes.agent),
        figure(rate, (r) => r.peakRssMegabytes.gateway),
        figure(rate, (r) => r.lost),
        figure(rate, (r) => r.probeLatencyMillis.p50),
        figure(rate, (r) => r.probeLatencyMillis.p95),
      ]),
    );
  const stem = writeResults(
    options.label ? `collector-load-${options.label}` : 'collector-load',
    { machine: about, options, runs },
    markdown,
  );
  await writePng(
    barsWithRange({
      title: 'CPU per 10,000 spans, by pipeline stage',
      axis: 'CPU ms per 10,000 spans',
      values: rates.flatMap((rate) =>
        PIPELINE.map((name) => ({ label: `${rate} spans/s`, series: name, ...spread(of(rate).map((r) => r.cpuPer10k[name])) })),
      ),
    }),
    `${stem}.png`,
  );
  console.log(markdown);
  console.log(`written: ${stem}.{json,md,png}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
