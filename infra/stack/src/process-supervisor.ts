import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LaunchSpec, StackContext } from './components/component';
import { stringEnv } from './process-env';
import { startTicks } from './process-identity';
import { waitUntil } from './wait-until';

interface PidRecord {
  pid: number;
  command: string;
  /** Hash of the launch spec and the config files it names: a change means a restart. */
  fingerprint: string;
  /** Kernel start time of the process: tells our process from a later one that reuses the pid. */
  startTicks: string;
}

function readPidRecord(ctx: StackContext, name: string): PidRecord | undefined {
  const file = ctx.paths.pidFile(name);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

/** Alive and still the program we started (a recycled pid running something else does not count). */
function isOurProcess(record: PidRecord): boolean {
  return startTicks(record.pid) === record.startTicks;
}

export function runningPid(ctx: StackContext, name: string): number | undefined {
  const record = readPidRecord(ctx, name);
  return record && isOurProcess(record) ? record.pid : undefined;
}

/**
 * What a launch depends on: command, arguments, environment, the contents of files it names or lists
 * as inputs, and the program file itself (a rebuild in place, e.g. new link-time settings, means a
 * restart).
 */
export function launchFingerprint(ctx: StackContext, spec: LaunchSpec): string {
  const hash = createHash('sha256').update(JSON.stringify({ spec, env: ctx.env }));
  if (existsSync(spec.command)) {
    const program = statSync(spec.command);
    hash.update(`${program.size}:${program.mtimeMs}`);
  }
  for (const arg of spec.args) {
    const path = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
    if (path.startsWith('/') && existsSync(path) && statSync(path).isFile()) hash.update(readFileSync(path));
  }
  for (const input of spec.inputs ?? []) if (existsSync(input)) hash.update(readFileSync(input));
  return hash.digest('hex');
}

/** True when the running process was started with a different spec or config than `spec` now gives. */
export function launchedDifferently(ctx: StackContext, name: string, spec: LaunchSpec): boolean {
  return readPidRecord(ctx, name)?.fingerprint !== launchFingerprint(ctx, spec);
}

/**
 * Starts a component in its own process group (so stopping it also stops any children it forks,
 * as Elasticsearch's launcher does), output appended to its log file, pid recorded for `down`.
 */
export function launch(ctx: StackContext, name: string, spec: LaunchSpec): number {
  const logFile = ctx.paths.logFile(name);
  mkdirSync(dirname(logFile), { recursive: true });
  mkdirSync(dirname(ctx.paths.pidFile(name)), { recursive: true });
  const out = openSync(logFile, 'a');
  const user = spec.dropRoot ? ctx.serviceUser : undefined;
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...stringEnv(process.env), ...ctx.env, ...spec.env, ...(user ? { HOME: ctx.paths.state, USER: user.name } : {}) },
    detached: true,
    stdio: ['ignore', out, out],
    uid: user?.uid,
    gid: user?.gid,
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
  child.unref();
  const record: PidRecord = {
    pid: child.pid,
    command: spec.command,
    fingerprint: launchFingerprint(ctx, spec),
    startTicks: startTicks(child.pid) ?? '',
  };
  writeFileSync(ctx.paths.pidFile(name), JSON.stringify(record));
  return child.pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the component's process group, SIGKILL after the grace period. Returns how it ended. */
export async function stop(ctx: StackContext, name: string, graceSeconds: number): Promise<'stopped' | 'killed' | 'not running'> {
  const record = readPidRecord(ctx, name);
  rmSync(ctx.paths.pidFile(name), { force: true });
  if (!record || !groupAlive(record.pid)) return 'not running';
  // The leader's pid now belongs to another program: the group is not ours to signal.
  if (startTicks(record.pid) !== undefined && !isOurProcess(record)) return 'not running';
  signalGroup(record.pid, 'SIGTERM');
  const ended = await waitUntil(() => !groupAlive(record.pid), {
    what: `${name} stopped`,
    timeoutMs: graceSeconds * 1000,
    intervalMs: 200,
  }).then(
    () => true,
    () => false,
  );
  if (ended) return 'stopped';
  signalGroup(record.pid, 'SIGKILL');
  await waitUntil(() => !groupAlive(record.pid), { what: `${name} killed`, timeoutMs: 5000, intervalMs: 100 }).catch(() => undefined);
  return 'killed';
}

/** The last lines of a component's log, for failure messages and `logs`. */
export function logTail(ctx: StackContext, name: string, lines: number): string {
  const file = ctx.paths.logFile(name);
  if (!existsSync(file)) return '(no log yet)';
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(-lines - 1)
    .join('\n');
}
