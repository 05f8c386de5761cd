import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answersOk } from '../../infra/stack/src/components/http-probe';
import { startTicks } from '../../infra/stack/src/process-identity';
import { waitUntil } from '../../infra/stack/src/wait-until';
import { spawnBuiltService } from '../built-service';

export const SERVICES = ['user-service', 'order-service', 'payment-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The development ports (the services' defaults): the demo's services are the ones `nest start` would run. */
export const SERVICE_URLS: Record<ServiceName, string> = {
  'user-service': 'http://127.0.0.1:3001',
  'order-service': 'http://127.0.0.1:3002',
  'payment-service': 'http://127.0.0.1:3003',
};

export interface StartedService {
  name: ServiceName;
  pid: number;
  /** Kernel start time: `demo stop` signals the pid only while it is still this process. */
  startTicks: string;
  log: string;
}

/** Already serving on its port (a developer's `nest start`, or a demo left running): used as it is. */
export function isRunning(name: ServiceName): Promise<boolean> {
  return answersOk(`${SERVICE_URLS[name]}/health/live`);
}

/**
 * Starts a built service the way `nest start` runs it (tools/node-with-telemetry, telemetry
 * preloaded), detached, logging to <outputDir>/logs/<name>.log, so it can outlive the demo
 * (--keep-running). Resolves once it is ready.
 */
export async function startService(
  name: ServiceName,
  outputDir: string,
  env: Record<string, string>,
  timeoutSeconds = 90,
): Promise<StartedService> {
  mkdirSync(join(outputDir, 'logs'), { recursive: true });
  const log = join(outputDir, 'logs', `${name}.log`);
  const out = openSync(log, 'a');
  const child = spawnBuiltService(name, { env: { ...process.env, ...env }, stdio: ['ignore', out, out], detached: true });
  closeSync(out); // the child holds its own copy
  child.unref();
  await waitUntil(
    (bail) => {
      if (child.exitCode !== null) bail(new Error(`${name} exited with ${child.exitCode}; see ${log}`));
      return answersOk(`${SERVICE_URLS[name]}/health/ready`);
    },
    { what: `${name} ready (log: ${log})`, timeoutMs: timeoutSeconds * 1000, intervalMs: 500 },
  );
  return { name, pid: child.pid!, startTicks: startTicks(child.pid!) ?? '', log };
}

/** SIGTERM (graceful: consumers leave their groups, telemetry flushes), SIGKILL after 20 s. */
export async function stopService(service: StartedService): Promise<void> {
  // A pid from left-running.json may since belong to another program: only ours is signalled.
  const alive = () => startTicks(service.pid) === service.startTicks;
  if (!alive()) return;
  process.kill(service.pid, 'SIGTERM');
  await waitUntil(() => !alive(), { what: `${service.name} stopped`, timeoutMs: 20_000, intervalMs: 200 }).catch(() =>
    process.kill(service.pid, 'SIGKILL'),
  );
}

/** What a demo left running (--keep-running), so `npm run demo -- stop` can stop it later. */
export interface LeftRunning {
  services: StartedService[];
  stackComponents: string[];
}

const leftRunningFile = (outputDir: string) => join(outputDir, 'left-running.json');

export function recordLeftRunning(outputDir: string, state: LeftRunning): void {
  writeFileSync(leftRunningFile(outputDir), JSON.stringify(state, null, 2));
}

export function takeLeftRunning(outputDir: string): LeftRunning | undefined {
  try {
    const state = JSON.parse(readFileSync(leftRunningFile(outputDir), 'utf8')) as LeftRunning;
    rmSync(leftRunningFile(outputDir));
    return state;
  } catch {
    return undefined;
  }
}
