/**
 * The chaos suite: the order flow under a steady load with full telemetry, one fault injected per
 * scenario while the load runs, then a count of what arrived — every accepted order in exactly one
 * terminal state and charged once (Postgres), every hop span of each order's trace (Jaeger), every
 * log line (VictoriaLogs), what the collectors say they failed to send, and whether a PII canary
 * planted in requests shows up in clear anywhere. Writes
 * bench/results/chaos-<date>.{json,md}. Needs the stack up and a build (npm run build):
 *   npm run chaos [-- --profile short|long] [--faults agent-down-5s,kafka-down-30s] [--rate 20]
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command, Option } from 'commander';
import { registerUser } from '../bench/lib/bench-user';
import { machine, table, writeResults } from '../bench/lib/results';
import { stackPaths } from '../infra/stack/src/paths';
import { collectorCounter, endpoints } from '../test/support/backends';
import { AgentMemory } from './agent-memory';
import { FAULTS, PROFILES, type Fault } from './faults';
import { tallyLinkedSampling, type LinkedSamplingTally } from './linked-sampling';
import { OrderLoad } from './order-load';
import { PiiCanary } from './pii-canary';
import { ServiceFleet } from './service-fleet';
import {
  recoveryOf,
  tallyLogs,
  tallyOrders,
  tallySpans,
  untilNonePending,
  type OrderTally,
  type Recovery,
  type SignalTally,
} from './tally';

const options = new Command('chaos')
  .addOption(new Option('--profile <name>', 'which faults: short (CI) or long (every one)').choices(['short', 'long']).default('short'))
  .option('--faults <list>', `these faults instead of a profile: ${Object.keys(FAULTS).join(', ')}`)
  .option('--rate <n>', 'orders placed per second (open loop)', Number, 20)
  .option('--before <s>', 'seconds of load before the fault', Number, 15)
  .option('--after <s>', 'seconds of load after the fault is healed', Number, 20)
  .option('--users <n>', 'customers the orders are spread over', Number, 20)
  .option('--drain-timeout <s>', 'seconds to wait for the last PENDING order', Number, 300)
  .option('--settle-timeout <s>', 'seconds to wait for spans and logs to be queryable', Number, 300)
  .option('--label <name>', 'added to the result file name')
  .parse()
  .opts<{
    profile: 'short' | 'long';
    faults?: string;
    rate: number;
    before: number;
    after: number;
    users: number;
    drainTimeout: number;
    settleTimeout: number;
    label?: string;
  }>();

interface Outcome {
  fault: string;
  description: string;
  placed: number;
  refused: number;
  drainSeconds: number;
  recovery: Recovery;
  orders: OrderTally;
  /** Hop spans against each order's trace (faults), or undefined when the scenario checks sampling instead. */
  spans?: SignalTally & { missingByHop: Record<string, number> };
  /** Link hop mode under tail sampling: how many orders' hop traces were kept whole, dropped whole or split. */
  sampling?: LinkedSamplingTally;
  logs: SignalTally & { missingByLine: Record<string, number> };
  /** Spans and log records the collectors counted as failed or dropped during the scenario (counters of restarted collectors start over). */
  collectorFailures: Record<string, number>;
  /** The agent's highest resident memory during the scenario (MiB): an overload must not run it out of memory. */
  agentPeakRssMiB: number;
  /** Where the run's PII canary was found in clear (trace store, log store, services' stdout). */
  piiHits: string[];
}

const SERVICE_ENV = { PAYMENT_PROCESSOR_LATENCY_MS: '0', PAYMENT_STARTING_BALANCE_MINOR: '1000000000' };

const COLLECTOR_FAILURES: [string, string, string][] = [
  ['agent', endpoints.agentMetrics, 'otelcol_exporter_send_failed_spans'],
  ['agent', endpoints.agentMetrics, 'otelcol_exporter_enqueue_failed_spans'],
  ['agent', endpoints.agentMetrics, 'otelcol_receiver_refused_spans'],
  ['agent', endpoints.agentMetrics, 'otelcol_processor_memory_limiter_refused_spans'],
  ['agent', endpoints.agentMetrics, 'otelcol_exporter_send_failed_log_records'],
  ['gateway', endpoints.gatewayMetrics, 'otelcol_exporter_send_failed_spans'],
  ['gateway', endpoints.gatewayMetrics, 'otelcol_exporter_enqueue_failed_spans'],
];

async function collectorFailures(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [collector, endpoint, name] of COLLECTOR_FAILURES)
    counts[`${collector} ${name.replace('otelcol_', '')}`] = await collectorCounter(endpoint, name).catch(() => 0);
  return counts;
}

/** Waits for the pipeline to drain (no accepted order PENDING any more); the seconds it took. */
async function drain(orderIds: string[]): Promise<number> {
  const start = Date.now();
  await untilNonePending(orderIds, options.drainTimeout * 1000);
  return Math.round((Date.now() - start) / 1000);
}

/** Batches the collectors still hold in their sending queues (retrying a backend that was down). */
async function queued(): Promise<number> {
  const sizes = await Promise.all(
    [endpoints.agentMetrics, endpoints.gatewayMetrics].map((endpoint) =>
      collectorCounter(endpoint, 'otelcol_exporter_queue_size').catch(() => 0),
    ),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Telemetry lags the orders (batching, the tail-sampling wait, queues draining after an outage):
 * counts until complete, or until the collectors' queues are empty and the count has not changed
 * for 30 s, or the settle timeout.
 */
async function settled<T extends SignalTally>(count: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + options.settleTimeout * 1000;
  let last = await count();
  let unchangedSince = Date.now();
  while (last.stored < last.expected && Date.now() < deadline && ((await queued()) > 0 || Date.now() - unchangedSince < 30_000)) {
    await sleep(5000);
    const next = await count();
    if (next.stored !== last.stored) unchangedSince = Date.now();
    last = next;
  }
  return last;
}

/** Sampling decisions come decision_wait after a trace's first span: counts until unchanged for 30 s with the queues empty. */
async function settledSampling(orderIds: string[]): Promise<LinkedSamplingTally> {
  const kept = (tally: LinkedSamplingTally) => ({ expected: tally.orders, stored: tally.keptWhole + tally.split, tally });
  return (await settled(async () => kept(await tallyLinkedSampling(orderIds)))).tally;
}

async function scenario(fault: Fault): Promise<Outcome> {
  await fault.setUp?.();
  try {
    return await scenarioWithServices(fault);
  } finally {
    await fault.tearDown?.();
  }
}

async function scenarioWithServices(fault: Fault): Promise<Outcome> {
  const fleet = await ServiceFleet.start({ ...SERVICE_ENV, ...fault.serviceEnv });
  try {
    const users: string[] = [];
    for (let i = 0; i < options.users; i++) users.push(await registerUser(fleet.url('user-service'), i));
    // A first order per user, settled, proves the payment accounts are open before the load starts.
    const warmUp = new OrderLoad(fleet.url('order-service'), users, options.users);
    warmUp.start();
    await sleep(1000);
    await drain((await warmUp.stop()).flatMap((order) => (order.orderId ? [order.orderId] : [])));

    const canary = new PiiCanary();
    await canary.plant(fleet);
    const before = await collectorFailures();
    const agentMemory = new AgentMemory();
    agentMemory.start();
    const load = new OrderLoad(fleet.url('order-service'), users, options.rate);
    load.start();
    await sleep(options.before * 1000);
    console.log(`${fault.name}: injecting`);
    const injectedAt = new Date();
    await fault.inject(fleet);
    await sleep(fault.holdSeconds * 1000);
    await fault.heal(fleet);
    const healedAt = new Date();
    console.log(`${fault.name}: healed`);
    await sleep(options.after * 1000);
    const placed = await load.stop();
    const agentPeakRssMiB = await agentMemory.stop();
    const accepted = placed.filter((order) => order.orderId);
    const acceptedIds = accepted.map((order) => order.orderId!);
    const drainSeconds = await drain(acceptedIds);
    const orders = await tallyOrders(acceptedIds);
    const recovery = await recoveryOf(acceptedIds, injectedAt, healedAt);
    const logs = await settled(() => tallyLogs(acceptedIds));
    const spans = fault.traces === 'hops' ? await settled(() => tallySpans(accepted.map((order) => order.traceId))) : undefined;
    const sampling = fault.traces === 'linked-sampling' ? await settledSampling(acceptedIds) : undefined;
    const after = await collectorFailures();
    const piiHits = await canary.hits(fleet);
    const outcome: Outcome = {
      fault: fault.name,
      description: fault.description,
      placed: placed.length,
      refused: placed.length - accepted.length,
      drainSeconds,
      recovery,
      orders,
      spans,
      sampling,
      logs,
      piiHits,
      agentPeakRssMiB,
      collectorFailures: Object.fromEntries(Object.entries(after).map(([name, value]) => [name, Math.max(0, value - (before[name] ?? 0))])),
    };
    console.log(JSON.stringify(outcome));
    return outcome;
  } finally {
    // The services' own words (export retries, dropped batches) explain what the counts show.
    const outputDir = join(stackPaths().state, 'logs', 'chaos', fault.name);
    fleet.saveOutput(outputDir);
    console.log(`${fault.name}: services' output in ${outputDir}`);
    await fleet.stop();
  }
}

function samplingSummary(sampling: LinkedSamplingTally | undefined): string {
  if (!sampling) return '';
  const share = ((100 * sampling.keptWhole) / Math.max(1, sampling.orders)).toFixed(1);
  return (
    `. Of ${sampling.orders} orders (${sampling.hopTraces} hop traces): ${sampling.keptWhole} kept whole (${share} %), ` +
    `${sampling.droppedWhole} dropped whole, **${sampling.split} split**`
  );
}

function report(outcomes: Outcome[]): string {
  const lost = (s: SignalTally) => `${s.stored} / ${s.expected}`;
  const rows = outcomes.map((o) => [
    `\`${o.fault}\``,
    o.placed,
    o.refused,
    o.orders.accepted,
    o.orders.confirmed + o.orders.cancelled,
    o.orders.pending + o.orders.missing,
    o.orders.chargedTwice + o.orders.settledTwice,
    o.drainSeconds,
    o.recovery.seconds,
    `${o.recovery.p99Ms.before ?? '–'} / ${o.recovery.p99Ms.during ?? '–'} / ${o.recovery.p99Ms.after ?? '–'}`,
    o.spans ? lost(o.spans) : 'sampled (below)',
    lost(o.logs),
    Object.entries(o.collectorFailures)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ') || '0',
    o.agentPeakRssMiB,
    o.piiHits.length,
  ]);
  const about = machine();
  return (
    `# Chaos run\n\n${about.date}, ${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB, Node ${about.node}; ` +
    `${options.rate} orders/s open loop, ${options.before} s before the fault, ${options.after} s after healing.\n\n` +
    table(
      [
        'fault',
        'placed',
        'refused',
        'accepted',
        'terminal',
        'lost (pending or missing)',
        'charged or settled twice',
        'drain (s)',
        'backlog cleared (s after healing)',
        'completion p99 before / during / after (ms)',
        'hop spans stored / expected',
        'log lines stored / expected',
        'collector failures',
        'agent peak RSS (MiB)',
        'PII hits',
      ],
      rows,
    ) +
    '\n\n' +
    outcomes
      .map((o) => {
        const missing = Object.entries(o.spans?.missingByHop ?? {}).map(([hop, n]) => `${hop} ×${n}`);
        const missingLines = Object.entries(o.logs.missingByLine).map(([line, n]) => `"${line}" ×${n}`);
        return (
          `- \`${o.fault}\`: ${o.description}${missing.length ? `. Hop spans missing: ${missing.join('; ')}` : ''}` +
          `${missingLines.length ? `. Log lines missing: ${missingLines.join('; ')}` : ''}${samplingSummary(o.sampling)}`
        );
      })
      .join('\n') +
    '\n'
  );
}

async function main(): Promise<void> {
  const names = options.faults ? options.faults.split(',') : PROFILES[options.profile];
  for (const name of names) if (!FAULTS[name]) throw new Error(`unknown fault ${name}; known: ${Object.keys(FAULTS).join(', ')}`);
  const outcomes: Outcome[] = [];
  for (const name of names) outcomes.push(await scenario(FAULTS[name]));
  const markdown = report(outcomes);
  const stem = writeResults(`chaos${options.label ? `-${options.label}` : ''}`, { options, machine: machine(), outcomes }, markdown);
  console.log(markdown);
  console.log(`written: ${stem}.{json,md}`);
  const broken = outcomes.filter((o) => o.orders.pending + o.orders.missing + o.orders.chargedTwice + o.orders.settledTwice > 0);
  if (broken.length) {
    console.error(`orders lost or applied twice in: ${broken.map((o) => o.fault).join(', ')}`);
    process.exitCode = 1;
  }
  const split = outcomes.filter((o) => (o.sampling?.split ?? 0) > 0);
  if (split.length) {
    console.error(`transactions half kept by tail sampling in: ${split.map((o) => o.fault).join(', ')}`);
    process.exitCode = 1;
  }
  const leaked = outcomes.flatMap((o) => o.piiHits.map((hit) => `${o.fault}: ${hit}`));
  if (leaked.length) {
    console.error(`PII in clear:\n${leaked.join('\n')}`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
