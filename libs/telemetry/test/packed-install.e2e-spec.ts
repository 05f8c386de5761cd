import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { endpoints, jaegerTrace } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { kafkaBrokers } from '../../../test/support/kafka-source';
import { withTopics } from '../../../test/support/kafka-topics';
import { traceView } from '../../../test/support/trace-shape';
import { tracedCall } from '../../../tools/demo/shop-api';

const execFileAsync = promisify(execFile);

/** Runs a command to completion; a failure says what it printed on both streams (tsc and npm pack report errors on stdout). */
async function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ stdout: string }> {
  try {
    return await execFileAsync(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${options.cwd}:\n${stdout}${stderr}`, { cause: error });
  }
}

const lib = join(__dirname, '..');
const repo = join(lib, '../..');
const rootPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** The repository's Node (the package needs ≥ 22.15; npm may run on an older one): only the binary, no modules come from here. */
const node = join(repo, 'node_modules/.bin/node');

/** What a user adds to an empty Nest 11 project besides the package, at the versions the repository pins. */
const pinned = (names: string[]) =>
  Object.fromEntries(names.map((name) => [name, rootPackage.dependencies[name] ?? rootPackage.devDependencies[name]]));
const appDependencies = pinned([
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/microservices',
  '@nestjs/platform-express',
  'kafkajs',
  'nest-winston',
  'reflect-metadata',
  'rxjs',
  'winston',
]);
const appDevDependencies = pinned(['typescript', '@types/node']);

/** tsconfig.json as `nest new` writes it for Nest 11: module nodenext, so the package's `exports` map is what resolves it. */
const nestTsconfig = {
  compilerOptions: {
    module: 'nodenext',
    moduleResolution: 'nodenext',
    resolvePackageJsonExports: true,
    esModuleInterop: true,
    isolatedModules: true,
    declaration: true,
    removeComments: true,
    emitDecoratorMetadata: true,
    experimentalDecorators: true,
    allowSyntheticDefaultImports: true,
    target: 'ES2023',
    sourceMap: true,
    outDir: './dist',
    baseUrl: './',
    skipLibCheck: true,
    strictNullChecks: true,
    forceConsistentCasingInFileNames: true,
    noImplicitAny: false,
    strictBindCallApply: false,
    noFallthroughCasesInSwitch: false,
  },
  include: ['src/**/*.ts'],
};

/** This run's npm, Node, test and telemetry settings, none of which a user's project would see. */
const RUN_SETTINGS = /^(npm_|NODE_PATH$|NODE_OPTIONS$|NODE_ENV$|JEST_|OTEL_|TRACEHOP_|KAFKA_BROKERS$|PGPASSFILE$)/i;
/** The machine's environment (PATH, HOME, the CA certificates the registry needs) without this run's settings, plus the given ones. */
const userEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !RUN_SETTINGS.test(name))),
  ...extra,
});

/** Every directory above `dir` up to the filesystem root: where Node's resolution would look for node_modules. */
function ancestors(dir: string): string[] {
  const parent = dirname(dir);
  return parent === dir ? [] : [parent, ...ancestors(parent)];
}

/** Packs the library (its prepack builds a clean dist) into an empty project outside the repository, installs and compiles it there. */
async function installPackedApp(project: string): Promise<void> {
  const { stdout } = await run('npm', ['pack', '--json', '--loglevel=error', '--pack-destination', project], { cwd: lib });
  const [{ filename }] = JSON.parse(stdout) as { filename: string }[];
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'packed-app',
      version: '0.0.0',
      private: true,
      dependencies: { '@tracehop/telemetry': `file:./${filename}`, ...appDependencies },
      devDependencies: appDevDependencies,
    }),
  );
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(nestTsconfig));
  cpSync(join(__dirname, 'fixtures/packed-app'), join(project, 'src'), { recursive: true });
  // --prefer-offline: the npm cache answers repeated runs; --ignore-scripts: nothing in this tree needs an install script.
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    env: userEnv(),
  });
  await run(node, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: project, env: userEnv() });
}

interface RunningApp {
  url: string;
  process: ChildProcess;
  output: () => string;
}

/** Starts the compiled app as its README tells a user to, and returns once it listens. */
async function startApp(project: string, env: Record<string, string>): Promise<RunningApp> {
  const child = spawn(node, ['--require', '@tracehop/telemetry/register', 'dist/main.js'], {
    cwd: project,
    env: userEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /^\{"port":(\d+)\}$/m.exec(output);
      if (listening) resolve(Number(listening[1]));
    });
    child.on('exit', (code) => reject(new Error(`the packed app exited with ${code}:\n${output.slice(-3000)}`)));
  });
  return { url: `http://127.0.0.1:${port}`, process: child, output: () => output };
}

async function stopApp(app: RunningApp): Promise<void> {
  if (app.process.exitCode !== null || app.process.signalCode !== null) return;
  const exited = once(app.process, 'exit');
  app.process.kill('SIGTERM');
  const timer = setTimeout(() => app.process.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

describe('@tracehop/telemetry packed and installed in a fresh Nest 11 project outside the repository', () => {
  let project = '';

  beforeAll(async () => {
    project = mkdtempSync(join(tmpdir(), 'tracehop-packed-app-'));
    await installPackedApp(project);
  }, 600_000);

  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('resolves the package and its peers from the project alone, never from the repository', async () => {
    expect(ancestors(project).filter((dir) => existsSync(join(dir, 'node_modules')))).toEqual([]);
    const modules = ['@tracehop/telemetry', '@tracehop/telemetry/register', '@opentelemetry/api', '@nestjs/core', 'kafkajs', 'winston'];
    const { stdout } = await run(node, ['-e', `for (const m of ${JSON.stringify(modules)}) console.log(require.resolve(m))`], {
      cwd: project,
      env: userEnv(),
    });
    const resolved = stdout.trim().split('\n');
    expect(resolved).toHaveLength(modules.length);
    for (const path of resolved) expect(path.startsWith(join(project, 'node_modules'))).toBe(true);
  });

  it('HTTP request → Kafka send → consume is one trace in Jaeger: server span, send span under it, process span under that', async () => {
    const runId = randomUUID().slice(0, 8);
    const topic = `packed-orders-${runId}`;
    const serviceName = `packed-app-${runId}`;
    const kafka = new Kafka({ clientId: 'packed-install-spec', brokers: [kafkaBrokers()], logLevel: logLevel.NOTHING });
    await withTopics(kafka, [topic], async () => {
      const app = await startApp(project, {
        PORT: '0',
        TOPIC: topic,
        KAFKA_BROKERS: kafkaBrokers(),
        OTEL_SERVICE_NAME: serviceName,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://${endpoints.agentGrpc}`,
      });
      try {
        const placed = await tracedCall<{ accepted: string }>('POST', `${app.url}/orders`, { orderId: runId });
        expect(placed).toMatchObject({ status: 202, body: { accepted: runId } });

        const found = await eventually(`trace ${placed.traceId} with server, send and process spans`, 30, async () => {
          const stored = await jaegerTrace(placed.traceId);
          if (!stored) return undefined;
          const view = traceView(stored);
          const [server] = view.find(serviceName, /.*/, (span) => view.tag(span, 'span.kind') === 'server');
          const [send] = view.find(serviceName, `send ${topic}`);
          const [process] = view.find(serviceName, `process ${topic}`);
          return server && send && process ? { view, server, send, process } : undefined;
        });
        const { view, server, send, process } = found;
        expect(view.tag(send, 'span.kind')).toBe('producer');
        expect(view.tag(process, 'span.kind')).toBe('consumer');
        expect(view.descendsFrom(send, server)).toBe(true);
        expect(view.parentId(process)).toBe(send.spanID);

        // The handler's log line went through the package's Winston logger with the process span's ids.
        const handled = app
          .output()
          .split('\n')
          .filter((line) => line.includes(`handled order ${runId}`))
          .map((line) => JSON.parse(line) as { trace_id?: string; span_id?: string });
        expect(handled).toEqual([expect.objectContaining({ trace_id: placed.traceId, span_id: process.spanID })]);
      } finally {
        await stopApp(app);
      }
    });
  });
});
