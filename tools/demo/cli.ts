import '../../infra/stack/src/quiet-timer-warning';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Command, Option } from 'commander';
import { Listr, PRESET_TIMER } from 'listr2';
import { repoRoot } from '../../infra/stack/src/paths';
import { down, statuses, up } from '../../infra/stack/src/stack';
import { reportStep } from './report';
import { playScenario } from './scenario';
import {
  isRunning,
  recordLeftRunning,
  SERVICES,
  startService,
  stopService,
  takeLeftRunning,
  type StartedService,
} from './service-processes';
import { waitForTransaction } from './wait-for-trace';

const run = promisify(execFile);

interface DemoOptions {
  end: 'wait' | 'keep-running' | 'stop';
  hopMode: 'child' | 'link' | 'child+link';
  output: string;
}

/** What this run started, and so what it stops. */
const started: { services: StartedService[]; stack: string[] } = { services: [], stack: [] };

async function stopWhatWeStarted(): Promise<void> {
  for (const service of [...started.services].reverse()) await stopService(service);
  if (started.stack.length) await down(started.stack);
  started.services = [];
  started.stack = [];
}

async function bringUp(options: DemoOptions): Promise<void> {
  const healthyBefore = new Set((await statuses()).filter((s) => s.state === 'healthy').map((s) => s.name));
  console.log(
    'Stack: Kafka, Postgres, OpenSearch, OTel Collector agent + gateway, Jaeger, VictoriaLogs, Prometheus (first run builds and downloads: ~16 min)',
  );
  await up();
  started.stack = (await statuses()).filter((s) => !healthyBefore.has(s.name)).map((s) => s.name);

  await new Listr(
    [
      {
        title: 'Build the services (nest build --all)',
        task: () => run(join(repoRoot, 'node_modules', '.bin', 'nest'), ['build', '--all'], { cwd: repoRoot }),
      },
      ...SERVICES.map((name) => ({
        title: `Start ${name}`,
        task: async (_: unknown, task: { title: string }) => {
          if (await isRunning(name)) {
            task.title = `${name}: already running, used as it is${options.hopMode !== 'child' ? ' (its own hop mode)' : ''}`;
            return;
          }
          started.services.push(await startService(name, options.output, { TRACEHOP_KAFKA_HOP_MODE: options.hopMode }));
        },
      })),
    ],
    { rendererOptions: { timer: PRESET_TIMER }, fallbackRenderer: 'verbose', fallbackRendererOptions: { timer: PRESET_TIMER } },
  ).run();
}

async function demo(options: DemoOptions): Promise<void> {
  mkdirSync(options.output, { recursive: true });
  process.once('SIGINT', () => {
    console.log('\nStopping what the demo started…');
    void stopWhatWeStarted().finally(() => process.exit(130));
  });
  await bringUp(options);

  let index = 0;
  for await (const step of playScenario()) {
    index += 1;
    const transaction = await waitForTransaction(step.traceId, step.complete);
    console.log(reportStep(index, step, transaction, options.output));
  }

  if (options.end === 'keep-running') {
    recordLeftRunning(options.output, { services: started.services, stackComponents: started.stack });
    console.log('\nLeft running. Stop it with: npm run demo -- stop');
    return;
  }
  if (options.end === 'stop') {
    await stopWhatWeStarted();
    return;
  }
  console.log('\nThe stack and services stay up for you to explore. Ctrl-C stops what the demo started (--keep-running leaves it).');
  // A pending promise alone would let Node exit: a timer keeps the process (and its Ctrl-C handler) alive.
  setInterval(() => undefined, 60_000);
}

async function stopLeftRunning(output: string): Promise<void> {
  const left = takeLeftRunning(output);
  if (!left) {
    console.log('Nothing recorded as left running by a demo.');
    return;
  }
  started.services = left.services;
  started.stack = left.stackComponents;
  await stopWhatWeStarted();
  console.log(`Stopped ${[...left.services.map((s) => s.name), ...left.stackComponents].join(', ') || 'nothing'}.`);
}

const program = new Command('demo')
  .description('Start the stack and the three services, play a traced business transaction, and show each story across HTTP and Kafka hops')
  .addOption(
    new Option('--hop-mode <mode>', 'how Kafka process spans relate to their producer')
      .choices(['child', 'link', 'child+link'])
      .default('child'),
  )
  .option('--keep-running', 'exit after the scenario, leaving what it started running (npm run demo -- stop)')
  .option('--stop-after', 'stop what the demo started as soon as the scenario is done')
  .option('--output <dir>', 'where the HTML trace views and service logs go', join(repoRoot, 'demo-output'))
  .action((options: { hopMode: DemoOptions['hopMode']; keepRunning?: boolean; stopAfter?: boolean; output: string }) =>
    demo({
      hopMode: options.hopMode,
      output: options.output,
      end: options.keepRunning ? 'keep-running' : options.stopAfter ? 'stop' : 'wait',
    }),
  );

program
  .command('stop')
  .description('stop what a demo left running with --keep-running')
  .action(() => stopLeftRunning(program.opts<{ output: string }>().output));

program.parseAsync().catch(async (error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  await stopWhatWeStarted();
  process.exitCode = 1;
});
