import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Table from 'cli-table3';
import { Command } from 'commander';
import ms from 'ms';
import { writePng } from '../charts/write-png';
import { durationOption } from '../cli/duration-option';
import { loadDashboards } from './dashboards';
import { evaluatePanels, isBroken } from './evaluate';
import { dashboardPicture } from './picture';
import { DEFAULT_PROMETHEUS_URL, PrometheusClient } from './prometheus';

const program = new Command('dashboards').description("tracehop's Grafana dashboards (infra/grafana/dashboards), without Grafana");
program
  .command('check')
  .description('run every panel query against Prometheus now; exit 1 if any fails or returns nothing')
  .option('--prometheus <url>', 'Prometheus', DEFAULT_PROMETHEUS_URL)
  .action(async (options: { prometheus: string }) => {
    const prometheus = new PrometheusClient(options.prometheus);
    const table = new Table({ head: ['dashboard', 'panel', 'query', 'series'], style: { head: [], border: [], compact: true } });
    let broken = 0;
    for (const { name, dashboard } of loadDashboards())
      for (const outcome of await evaluatePanels(prometheus, dashboard)) {
        if (isBroken(outcome)) broken += 1;
        table.push([name, outcome.panel, outcome.refId, outcome.error ? `error: ${outcome.error}` : outcome.series]);
      }
    process.stdout.write(
      `${table.toString()}\n${broken ? `${broken} queries would leave a panel empty or broken` : 'every panel query returns data'}\n`,
    );
    if (broken) process.exitCode = 1;
  });
program
  .command('render')
  .description('picture each dashboard as PNG from the same queries, drawn with Vega-Lite')
  .argument('[names...]', 'dashboards by file name (default: all)')
  .option('--since <d>', 'time window', durationOption, ms('15m'))
  .option('--out <folder>', 'where the PNGs go', 'docs/images')
  .option('--prometheus <url>', 'Prometheus', DEFAULT_PROMETHEUS_URL)
  .action(async (names: string[], options: { since: number; out: string; prometheus: string }) => {
    const prometheus = new PrometheusClient(options.prometheus);
    mkdirSync(resolve(options.out), { recursive: true });
    for (const { name, dashboard } of loadDashboards().filter((entry) => !names.length || names.includes(entry.name))) {
      const file = resolve(join(options.out, `dashboard-${name}.png`));
      await writePng(await dashboardPicture(prometheus, dashboard, options.since / 1000), file);
      process.stdout.write(`${file}\n`);
    }
  });

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`dashboards: ${error.message}\n`);
  process.exitCode = 1;
});
