/**
 * What the event pipeline carries: the three services, fresh, under each telemetry configuration,
 * take `POST /orders` from autocannon for a while (closed loop at saturation, or open loop at
 * --rate orders/s), then drain: every order goes order-created → payment → payment-completed/failed
 * → confirmed/cancelled → user statistics. Reports orders accepted per second, orders completed per
 * second (from the first request until nothing is PENDING), the drain time after the load stops,
 * completion latency p50/p99, and each topic's produce → process p99 (the services' own histogram,
 * so not with telemetry off). A configuration with gateway settings (tail sampling) runs with the
 * gateway restarted under them. Writes bench/results/order-flow-<date>.{json,md,png}. Needs the
 * stack up and a build:
 *   npm run bench:orders [-- --configs off,full --rounds 2 --seconds 30 --connections 32 | --rate 40]
 */
import '../infra/stack/src/quiet-timer-warning';
import { randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { Command } from 'commander';
import { TOPICS } from '@tracehop/contracts';
import { waitUntil } from '../infra/stack/src/wait-until';
import { prometheusQuery } from '../test/support/backends';
import { startServices, type RunningServices } from '../test/support/services';
import { collectorRestartedWith } from '../test/support/stack-cli';
import { writePng } from '../tools/charts/write-png';
import { registerUser } from './lib/bench-user';
import { CONFIGURATIONS } from './lib/configurations';
import { OrderStore } from './lib/order-store';
import { barsWithRange, stackedBars } from './lib/plot';
import { ProcessTreeUsage } from './lib/process-tree-usage';
import { machine, readResults, table, withResultOptions, writeResults } from './lib/results';
import { rotated } from './lib/rotation';
import { formatSpread, spread } from './lib/spread';
import { stackProcessIds } from './lib/stack-processes';

const options = withResultOptions(new Command())
  .option('--configs <list>', 'configurations to compare (first is the baseline)', 'off,full')
  .option('--rounds <n>', 'repetitions of every configuration', Number, 2)
  .option('--seconds <n>', 'how long orders are placed', Number, 30)
  .option('--connections <n>', 'concurrent clients placing orders', Number, 32)
  .option('--rate <n>', 'open loop: orders per second in total (default: closed loop, as fast as answers come)', Number)
  .option('--users <n>', 'customers the orders are spread over', Number, 50)
  .option('--drain-timeout <n>', 'seconds to wait for the last PENDING order', Number, 600)
  .option('--processor-latency <ms>', "payment-service's simulated processor latency", '0')
  .option('--node-options <flags>', 'NODE_OPTIONS for the services, e.g. "--cpu-prof --cpu-prof-dir=/tmp/profiles"')
  .parse()
  .opts<{
    configs: string;
    rounds: number;
    seconds: number;
    connections: number;
    rate?: number;
    users: number;
    drainTimeout: number;
    processorLatency: string;
    label?: string;
    nodeOptions?: string;
    replot?: string;
  }>();

interface Run {
  config: string;
  round: number;
  accepted: number;
  refused: number;
  acceptedPerSecond: number;
  completed: number;
  completedPerSecond: number;
  drainSeconds: number;
  completionP50Millis: number;
  completionP99Millis: number;
  /** Record produced → processed, p99 per hop (consumer group ← topic, ms), from the services' histogram; empty with telemetry off. */
  produceToProcessP99Millis: Record<string, number>;
  /** CPU milliseconds per completed order of each process (tree), from the first order to the drain. */
  cpuMillisPerOrder: Record<string, number>;
  /** Share of the machine's CPUs busy over the same span, all processes (from /proc/stat). */
  machineBusy: number;
}

async function registerUsers(services: RunningServices, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await registerUser(services.url['user-service'], i));
  return ids;
}

async function measure(config: string, round: number, store: OrderStore): Promise<Run> {
  const env = {
    ...CONFIGURATIONS[config].env,
    PAYMENT_PROCESSOR_LATENCY_MS: options.processorLatency,
    // Enough for every order of the run: declines would complete orders too, but measure a different path.
    PAYMENT_STARTING_BALANCE_MINOR: '1000000000',
    ...(options.nodeOptions ? { NODE_OPTIONS: options.nodeOptions } : {}),
  };
  // Names this run's processes in Prometheus (instance label), where their histograms are read.
  const run = `bench-${randomUUID()}`;
  const envOf = (name: string) => ({ ...env, OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${run}-${name}` });
  const services = await startServices({
    'user-service': envOf('user-service'),
    'order-service': envOf('order-service'),
    'payment-service': envOf('payment-service'),
  });
  try {
    const users = await registerUsers(services, options.users);
    // Accounts are opened from user-registered events: a first order per user, once settled, proves them there.
    const warmUp = new Date();
    await Promise.all(users.map((userId) => placeOrder(services, userId)));
    await drain(store, warmUp);
    const usage = new ProcessTreeUsage(await processRoots(services));
    const benchBefore = process.cpuUsage();
    const machineBefore = machineTicks();
    const start = new Date();
    const load = await autocannon({
      url: `${services.url['order-service']}/orders`,
      connections: options.connections,
      duration: options.seconds,
      ...(options.rate ? { overallRate: options.rate } : {}),
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({ ...request, body: JSON.stringify(orderBody(users[randomInt(users.length)])) }),
        },
      ],
    });
    const loadEnded = Date.now();
    const drained = await drain(store, start);
    const cpu = { ...usage.read(), 'bench (autocannon)': millisOf(process.cpuUsage(benchBefore)) };
    const machineAfter = machineTicks();
    const total = (drained.at - start.getTime()) / 1000;
    const completion = await store.completionMillis(start);
    const produceToProcessP99Millis =
      CONFIGURATIONS[config].env.OTEL_SDK_DISABLED === 'true'
        ? {}
        : await produceToProcessP99(run, start, users.length + drained.completed);
    const result: Run = {
      config,
      round,
      accepted: load['2xx'],
      refused: load.non2xx + load.errors + load.timeouts,
      acceptedPerSecond: Math.round(load['2xx'] / options.seconds),
      completed: drained.completed,
      completedPerSecond: Math.round(drained.completed / total),
      drainSeconds: Math.round((drained.at - loadEnded) / 1000),
      completionP50Millis: completion.p50,
      completionP99Millis: completion.p99,
      produceToProcessP99Millis,
      cpuMillisPerOrder: Object.fromEntries(Object.entries(cpu).map(([name, millis]) => [name, round2(millis / drained.completed)])),
      machineBusy: round2(1 - (machineAfter.idle - machineBefore.idle) / (machineAfter.total - machineBefore.total)),
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await services.stop();
  }
}

/** The hops every order crosses (consumer group ← topic). */
const ORDER_HOPS: [group: string, topic: string][] = [
  ['payment-service', TOPICS.orderCreated],
  ['order-service', TOPICS.paymentCompleted],
  ['payment-service.settlement', TOPICS.paymentCompleted],
  ['user-service', TOPICS.orderConfirmed],
];

/**
 * p99 of tracehop.messaging.produce_to_process.duration per hop (consumer group ← topic) over this
 * run's processes, once Prometheus holds every order's record on every order hop (`orders`: warm-up
 * and measured). A hop with no record in the run has no figure.
 */
async function produceToProcessP99(run: string, since: Date, orders: number): Promise<Record<string, number>> {
  await waitUntil(
    async () => {
      const counts = await prometheusQuery(
        `sum by (messaging_consumer_group_name, messaging_destination_name) ` +
          `(tracehop_messaging_produce_to_process_duration_seconds_count{instance=~"${run}-.*"})`,
      );
      const count = (group: string, topic: string) =>
        Number(
          counts.find((s) => s.metric.messaging_consumer_group_name === group && s.metric.messaging_destination_name === topic)?.value[1] ??
            0,
        );
      return ORDER_HOPS.every(([group, topic]) => count(group, topic) >= orders);
    },
    { what: `every order's record on every hop in Prometheus (${orders} each)`, timeoutMs: 60_000, intervalMs: 1000 },
  );
  const window = Math.ceil((Date.now() - since.getTime()) / 1000);
  const samples = await prometheusQuery(
    `histogram_quantile(0.99, sum by (le, messaging_consumer_group_name, messaging_destination_name) ` +
      `(increase(tracehop_messaging_produce_to_process_duration_seconds_bucket{instance=~"${run}-.*"}[${window}s])))`,
  );
  return Object.fromEntries(
    samples
      .filter((sample) => Number.isFinite(Number(sample.value[1])))
      .map((sample) => [
        `${sample.metric.messaging_consumer_group_name} ← ${sample.metric.messaging_destination_name}`,
        Math.round(Number(sample.value[1]) * 1000),
      ]),
  );
}

/** Runs with the gateway restarted under the configuration's settings, if it has any, and restarts it as configured after. */
async function withGateway<T>(config: string, work: () => Promise<T>): Promise<T> {
  const settings = CONFIGURATIONS[config].gateway;
  if (!settings) return work();
  await collectorRestartedWith('gateway', settings);
  try {
    return await work();
  } finally {
    await collectorRestartedWith('gateway', {});
  }
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const round2 = (n: number) => Math.round(n * 100) / 100;
const millisOf = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;

/** The stack's components and the three services, by name: the processes whose CPU an order costs. */
async function processRoots(services: RunningServices): Promise<Record<string, number>> {
  const roots = await stackProcessIds();
  for (const service of services.services) if (service.process.pid !== undefined) roots[service.name] = service.process.pid;
  return roots;
}

/** Idle and total CPU ticks of the whole machine, from the first line of /proc/stat. */
function machineTicks(): { idle: number; total: number } {
  const ticks = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { idle: ticks[3] + ticks[4], total: ticks.reduce((a, b) => a + b, 0) };
}

const orderBody = (userId: string) => ({ userId, currency: 'EUR', items: [{ sku: 'SKU-BENCH', quantity: 1, unitPriceMinor: 100 }] });

async function placeOrder(services: RunningServices, userId: string): Promise<void> {
  const response = await fetch(`${services.url['order-service']}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(orderBody(userId)),
  });
  if (!response.ok) throw new Error(`POST /orders answered ${response.status}: ${await response.text()}`);
}

/** Waits until no order since `since` is PENDING; when that was first seen, and how many completed. */
async function drain(store: OrderStore, since: Date): Promise<{ at: number; completed: number }> {
  return waitUntil(
    async () => {
      const counts = await store.counts(since);
      return counts.pending === 0 ? { at: Date.now(), completed: counts.completed } : undefined;
    },
    { what: 'every order settled', timeoutMs: options.drainTimeout * 1000, intervalMs: 250 },
  );
}

async function main(): Promise<void> {
  if (options.replot) {
    const saved = readResults<typeof options, Run>(options.replot);
    Object.assign(options, saved.options, { replot: undefined });
    return report(options.configs.split(','), saved.runs, saved.machine);
  }
  const configs = options.configs.split(',');
  for (const c of configs) if (!CONFIGURATIONS[c]) throw new Error(`unknown configuration ${c}`);
  const store = await OrderStore.open();
  const runs: Run[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const config of rotated(configs, round)) runs.push(await withGateway(config, () => measure(config, round, store)));
    }
  } finally {
    await store.close();
  }
  await report(configs, runs);
}

async function report(configs: string[], runs: Run[], about = machine()): Promise<void> {
  const of = (config: string) => runs.filter((r) => r.config === config);
  const figure = (config: string, pick: (run: Run) => number, digits = 0) => formatSpread(spread(of(config).map(pick)), digits);
  // CPU per completed order by process: median over rounds, processes in the baseline's order of cost.
  const processes = [...new Set(runs.flatMap((r) => Object.keys(r.cpuMillisPerOrder ?? {})))];
  const processCpu = (config: string, name: string) => spread(of(config).map((r) => r.cpuMillisPerOrder?.[name] ?? 0));
  processes.sort((a, b) => processCpu(configs[0], b).median - processCpu(configs[0], a).median);
  const cpuTable = processes.length
    ? `\n\nCPU milliseconds per completed order, by process (and its children), from the first order until drained:\n\n` +
      table(
        ['process', ...configs.map((c) => `\`${c}\``)],
        [
          ...processes.map((name) => [name, ...configs.map((c) => formatSpread(processCpu(c, name), 2))]),
          ['**all**', ...configs.map((c) => formatSpread(spread(of(c).map((r) => sum(Object.values(r.cpuMillisPerOrder ?? {})))), 2))],
          ['machine busy', ...configs.map((c) => formatSpread(spread(of(c).map((r) => r.machineBusy * 100)), 0) + ' %')],
        ],
      )
    : '';
  // Older results have no hop figures; telemetry off measures none ("—").
  const hops = [...new Set(runs.flatMap((r) => Object.keys(r.produceToProcessP99Millis ?? {})))].sort();
  const hopTable = hops.length
    ? `\n\nRecord produced → processed, p99 per hop (consumer group ← topic, ms), from the services' own histogram:\n\n` +
      table(
        ['hop', ...configs.map((c) => `\`${c}\``)],
        hops.map((hop) => [hop, ...configs.map((c) => figure(c, (r) => r.produceToProcessP99Millis?.[hop] ?? NaN))]),
      )
    : '';
  const markdown =
    `# Order flow end to end\n\n${about.date}, ${about.cpu}, ${about.cores} cores, ${about.memoryGiB} GiB, Node ${about.node}; ` +
    `${options.rounds} rounds; median (min–max). ${options.connections} clients place orders for ${options.seconds} s ` +
    (options.rate ? `at ${options.rate} orders/s in total (open loop) ` : '(closed loop) ') +
    `(PAYMENT_PROCESSOR_LATENCY_MS=${options.processorLatency}), then the pipeline drains.\n\n` +
    table(
      ['configuration', 'accepted/s', 'completed/s', 'drain after load (s)', 'completion p50 (ms)', 'completion p99 (ms)', 'refused'],
      configs.map((c) => [
        `\`${c}\`: ${CONFIGURATIONS[c].description}`,
        figure(c, (r) => r.acceptedPerSecond),
        figure(c, (r) => r.completedPerSecond),
        figure(c, (r) => r.drainSeconds),
        figure(c, (r) => r.completionP50Millis),
        figure(c, (r) => r.completionP99Millis),
        figure(c, (r) => r.refused),
      ]),
    ) +
    hopTable +
    cpuTable;
  const stem = writeResults(options.label ? `order-flow-${options.label}` : 'order-flow', { machine: about, options, runs }, markdown);
  await writePng(
    barsWithRange({
      title: 'Orders per second, end to end',
      axis: 'orders/s',
      values: configs.flatMap((c) => [
        { label: c, series: 'accepted', ...spread(of(c).map((r) => r.acceptedPerSecond)) },
        { label: c, series: 'completed', ...spread(of(c).map((r) => r.completedPerSecond)) },
      ]),
      rule: { value: 300, label: 'target 300/s completed' },
    }),
    `${stem}.png`,
  );
  if (processes.length)
    await writePng(
      stackedBars({
        title: 'CPU per completed order, by process',
        axis: 'CPU ms per order',
        values: configs.flatMap((c) => processes.map((part) => ({ label: c, part, value: processCpu(c, part).median }))),
      }),
      `${stem}-cpu.png`,
    );
  console.log(markdown);
  console.log(`written: ${stem}.{json,md,png}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
