/**
 * Where a service's CPU goes under telemetry: user-service runs with `node --cpu-prof` under one
 * configuration at a fixed rate of `GET /users/:id`; the V8 profile (open it in Chrome DevTools or
 * speedscope as a flame graph) and a table of self time per package and per function go to
 * bench/results/profile-<config>-<date>.{cpuprofile.gz,md}. Needs the stack up and a build:
 *   npm run bench:profile -- --config full [--rate 400 --seconds 20]
 */
import '../infra/stack/src/quiet-timer-warning';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { launchService, stopService, waitUntilReady } from '../test/support/services';
import { registerBenchUser } from './lib/bench-user';
import { CONFIGURATIONS } from './lib/configurations';
import { selfTime } from './lib/cpu-profile';
import { driveHttp } from './lib/http-load';
import { machine, table, writeResults } from './lib/results';

const options = new Command()
  .requiredOption('--config <name>', `one of ${Object.keys(CONFIGURATIONS).join(', ')}`)
  .option('--rate <n>', 'requests per second', Number, 400)
  .option('--seconds <n>', 'profiled duration', Number, 20)
  .option('--top <n>', 'functions listed', Number, 25)
  .parse()
  .opts<{ config: string; rate: number; seconds: number; top: number }>();

async function main(): Promise<void> {
  const config = CONFIGURATIONS[options.config];
  if (!config) throw new Error(`unknown configuration ${options.config}`);
  const port = '3201';
  const userId = await registerBenchUser(port);
  const dir = mkdtempSync(join(tmpdir(), 'tracehop-profile-'));
  const service = launchService('user-service', { ...config.env, PORT: port, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}` });
  const url = `http://127.0.0.1:${port}/users/${userId}`;
  let load;
  try {
    await waitUntilReady(service);
    await driveHttp({ url, seconds: 5, connections: 8, rate: options.rate });
    load = await driveHttp({ url, seconds: options.seconds, connections: 8, rate: options.rate });
  } finally {
    await stopService(service); // the profile is written on exit
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  const { total, byOwner, byFunction } = selfTime(join(dir, file));
  const rows = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, millis]) => [`\`${name}\``, Math.round(millis), `${((100 * millis) / total).toFixed(1)} %`]);
  const about = machine();
  const markdown =
    `# CPU profile: user-service, \`${options.config}\` (${config.description})\n\n` +
    `${about.date}, ${about.cpu}, Node ${about.node}. GET /users/:id at ${options.rate}/s for ${options.seconds} s after start-up and a 5 s warm-up ` +
    `(the profile covers the whole process life); ${load.ok} requests answered. Busy time sampled: ${Math.round(total)} ms.\n\n` +
    `## Self time per package\n\n${table(['package', 'ms', 'share'], rows(byOwner, 20))}\n` +
    `## Self time per function\n\n${table(['function', 'ms', 'share'], rows(byFunction, options.top))}`;
  const stem = writeResults(`profile-${options.config}`, { machine: about, options, load }, markdown);
  // Gzipped (a tenth of the size): gunzip, then open in Chrome DevTools (Performance) or speedscope.
  writeFileSync(`${stem}.cpuprofile.gz`, gzipSync(readFileSync(join(dir, file)), { level: 9 }));
  console.log(markdown);
  console.log(`written: ${stem}.{md,json,cpuprofile.gz}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exitCode = 1;
});
