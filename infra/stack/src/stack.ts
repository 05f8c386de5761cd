import { rmSync } from 'node:fs';
import Table from 'cli-table3';
import { Listr, PRESET_TIMER } from 'listr2';
import { bringUp, stopGraceSeconds, type Task } from './bring-up';
import type { Component, StackContext } from './components/component';
import { componentNamed, components } from './components/index';
import { createContext } from './context';
import { installTools, missingTools } from './install/prerequisites';
import { logTail, runningPid, stop } from './process-supervisor';

const failureLogLines = 30;

export interface ComponentStatus {
  name: string;
  title: string;
  state: 'healthy' | 'running, not ready' | 'stopped';
  pid?: number;
  endpoints: string[];
}

export async function componentStatus(ctx: StackContext, component: Component): Promise<ComponentStatus> {
  const pid = runningPid(ctx, component.name);
  const state = pid === undefined ? 'stopped' : (await component.isReady(ctx)) ? 'healthy' : 'running, not ready';
  return { name: component.name, title: component.title, state, pid, endpoints: component.endpoints(ctx) };
}

export function statusTable(statuses: ComponentStatus[]): string {
  const table = new Table({ head: ['component', 'state', 'pid', 'endpoints'] });
  for (const s of statuses) table.push([`${s.name}\n${s.title}`, s.state, s.pid ?? '', s.endpoints.join('\n')]);
  return table.toString();
}

/** Names the component, shows why (with the end of its log once it was launched) and how to retry. */
class ComponentFailed extends Error {
  constructor(component: Component, ctx: StackContext, cause: unknown, launched: boolean) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const log = launched
      ? `\n--- last ${failureLogLines} lines of ${ctx.paths.logFile(component.name)} ---\n${logTail(ctx, component.name, failureLogLines)}`
      : '';
    super(`${component.name} failed: ${reason}${log}\nRetry with: npm run stack -- up   (logs: npm run stack -- logs ${component.name})`);
  }
}

/**
 * `up`: components in dependency order, each installed if missing, started and awaited. On a
 * failure, the failing component and everything this run started are stopped again, so nothing is
 * left half-started; components that were already healthy keep running.
 */
export async function up(only?: string[]): Promise<void> {
  const selected = only?.length ? withDependencies(only) : components;
  let currentTask: Task | undefined;
  const ctx = createContext((line) => {
    if (currentTask) currentTask.output = line;
  });
  const startedNow: Component[] = [];
  const tools = missingTools(
    ctx,
    selected.map((component) => component.name),
  );
  const tasks = new Listr(
    [
      ...(tools.length
        ? [
            {
              title: `build tools: ${tools.join(', ')}`,
              task: (_: unknown, task: Task) => installTools(ctx, tools, (line) => (task.output = line)),
            },
          ]
        : []),
      ...selected.map((component) => ({
        title: component.name,
        task: async (_: unknown, task: Task) => {
          currentTask = task;
          try {
            await bringUp(ctx, component, task, startedNow);
          } catch (error) {
            throw new ComponentFailed(component, ctx, error, startedNow.includes(component));
          }
        },
      })),
    ],
    {
      exitOnError: true,
      rendererOptions: { timer: PRESET_TIMER, collapseErrors: false },
      fallbackRenderer: 'verbose',
      fallbackRendererOptions: { timer: PRESET_TIMER, logTitleChange: true },
    },
  );
  try {
    await tasks.run();
  } catch (error) {
    for (const component of [...startedNow].reverse()) await stop(ctx, component.name, stopGraceSeconds);
    // The progress output above already shows the failure in full.
    const stopped = startedNow.length ? `; stopped what this run started (${startedNow.map((c) => c.name).join(', ')})` : '';
    throw new Error(`stack up failed: ${(error as Error).message.split('\n')[0]}${stopped}`, { cause: error });
  }
  console.log(statusTable(await Promise.all(selected.map((c) => componentStatus(ctx, c)))));
}

function withDependencies(names: string[]): Component[] {
  const wanted = new Set<string>();
  const add = (name: string) => {
    wanted.add(name);
    componentNamed(name).dependsOn.forEach(add);
  };
  names.forEach(add);
  return components.filter((c) => wanted.has(c.name));
}

/** `down`: reverse order, SIGTERM then SIGKILL after a grace period; data stays. Named components only, if given. */
export async function down(only: string[] = []): Promise<void> {
  const ctx = createContext();
  only.forEach(componentNamed);
  for (const component of [...components].reverse().filter((c) => only.length === 0 || only.includes(c.name))) {
    const result = await stop(ctx, component.name, stopGraceSeconds);
    console.log(`${component.name.padEnd(11)} ${result}`);
  }
}

/** `reset`: down, then wipe data, logs and generated configs (caches and builds stay). */
export async function reset(): Promise<void> {
  await down();
  const ctx = createContext();
  rmSync(ctx.paths.state, { recursive: true, force: true });
  console.log(`removed ${ctx.paths.state}`);
}

/** Every component's state and endpoints, in start order. */
export async function statuses(): Promise<ComponentStatus[]> {
  const ctx = createContext();
  return Promise.all(components.map((c) => componentStatus(ctx, c)));
}

export async function status(json: boolean): Promise<boolean> {
  const all = await statuses();
  console.log(json ? JSON.stringify(all, null, 2) : statusTable(all));
  return all.every((s) => s.state === 'healthy');
}

export function logs(name: string, lines: number): void {
  const ctx = createContext();
  console.log(logTail(ctx, componentNamed(name).name, lines));
}
