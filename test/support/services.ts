import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { answersOk } from '../../infra/stack/src/components/http-probe';
import { waitUntil } from '../../infra/stack/src/wait-until';
import { spawnBuiltService } from '../../tools/built-service';
import { SERVICES as SERVICE_NAMES, type ServiceName } from '../../tools/demo/service-processes';

export { SERVICE_NAMES, type ServiceName };

/**
 * Ports the specs run the services on: not the development ports (3001-3003), so a developer's
 * `nest start` instances keep theirs. They share the consumer groups, though: stop them first.
 */
const TEST_PORTS: Record<ServiceName, number> = { 'user-service': 3101, 'order-service': 3102, 'payment-service': 3103 };

export interface RunningService {
  name: ServiceName;
  url: string;
  process: ChildProcess;
  output: () => string;
}

export interface RunningServices {
  url: Record<ServiceName, string>;
  services: RunningService[];
  stop(): Promise<void>;
}

/**
 * Starts a built service (npm run build) the way `nest start` does, through tools/node-with-telemetry
 * (telemetry preloaded, exporting to the stack's agent), and returns once it is ready.
 */
export function launchService(name: ServiceName, env: Record<string, string> = {}): RunningService {
  const port = Number(env.PORT ?? TEST_PORTS[name]);
  const child = spawnBuiltService(name, {
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: name,
      OTEL_METRIC_EXPORT_INTERVAL: '2000',
      USER_SERVICE_URL: `http://127.0.0.1:${TEST_PORTS['user-service']}`,
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { name, url: `http://127.0.0.1:${port}`, process: child, output: () => output };
}

export async function waitUntilReady(service: RunningService, seconds = 90): Promise<void> {
  await waitUntil(
    (bail) => {
      if (service.process.exitCode !== null)
        bail(new Error(`${service.name} exited with ${service.process.exitCode}:\n${service.output().slice(-3000)}`));
      return answersOk(`${service.url}/health/ready`);
    },
    { what: `${service.name} ready`, timeoutMs: seconds * 1000, intervalMs: 500 },
  );
}

/** SIGTERM, then SIGKILL after 20 s: the services shut down gracefully well within that. */
export async function stopService(service: RunningService): Promise<number | null> {
  if (service.process.exitCode !== null || service.process.signalCode !== null) return service.process.exitCode;
  const exited = once(service.process, 'exit');
  service.process.kill('SIGTERM');
  const timer = setTimeout(() => service.process.kill('SIGKILL'), 20_000);
  const [code] = (await exited) as [number | null];
  clearTimeout(timer);
  return code;
}

export async function startServices(env: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<RunningServices> {
  const services = SERVICE_NAMES.map((name) => launchService(name, env[name]));
  const stop = async () => void (await Promise.all(services.map(stopService)));
  try {
    await Promise.all(services.map((service) => waitUntilReady(service)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: Object.fromEntries(services.map((service) => [service.name, service.url])) as Record<ServiceName, string>,
    services,
    stop,
  };
}
