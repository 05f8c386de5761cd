import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { agent, gateway } from '../../infra/stack/src/components/collector';
import { answersOk } from '../../infra/stack/src/components/http-probe';
import { infraFile } from '../../infra/stack/src/config-files';
import { createContext } from '../../infra/stack/src/context';
import { stringEnv } from '../../infra/stack/src/process-env';
import { waitUntil } from '../../infra/stack/src/wait-until';

/**
 * Further collectors beside the stack's own: the stack's binary and config for the role, as `npm run
 * stack -- up` launches it, plus more config layers and an environment of their own (ports, names).
 * They are the spec's children, not the stack's: no pid files, stopped by the spec.
 */
export interface ExtraCollector {
  name: string;
  process: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** `count` loopback ports nobody listens on, the first ones free from `from` up. */
export async function freePorts(count: number, from: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = from; ports.length < count && port < 65536; port++) if (await isFree(port)) ports.push(port);
  if (ports.length < count) throw new Error(`not ${count} free ports from ${from}`);
  return ports;
}

/**
 * Starts a collector in a role with further config files layered on the role's own (`--config
 * agent.yaml --config <each>`), the stack's environment (secrets included) overridden by `env`, and
 * returns once its health check (at `healthEndpoint`, host:port) answers.
 */
export async function startCollector(
  role: 'agent' | 'gateway',
  options: { name: string; configs?: string[]; env: Record<string, string>; healthEndpoint: string },
): Promise<ExtraCollector> {
  const ctx = createContext();
  const spec = (role === 'agent' ? agent : gateway).launch(ctx);
  const child = spawn(spec.command, [...spec.args, ...(options.configs ?? []).flatMap((file) => ['--config', file])], {
    env: { ...stringEnv(process.env), ...ctx.env, ...spec.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const collector: ExtraCollector = {
    name: options.name,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntil(
      (bail) => {
        if (child.exitCode !== null) bail(new Error(`${options.name} exited with ${child.exitCode}:\n${output.slice(-3000)}`));
        return answersOk(`http://${options.healthEndpoint}/`);
      },
      { what: `${options.name} healthy`, timeoutMs: 60_000, intervalMs: 300 },
    );
  } catch (error) {
    await collector.stop();
    throw error;
  }
  return collector;
}

/** A file of infra/collector, for config layers. */
export const collectorConfig = (file: string) => infraFile(`collector/${file}`);
