import type { Component, StackContext } from './components/component';
import { isStepCurrent, markStepDone } from './install/stamp';
import { port } from './manifest';
import { assertPortsFree } from './port-check';
import { launch, launchedDifferently, runningPid, stop } from './process-supervisor';
import { waitUntil } from './wait-until';

export const stopGraceSeconds = 20;

/** The part of a progress task the stack writes to: its title and its latest output line. */
export interface Task {
  title: string;
  output: string;
}

/**
 * Installs what is missing, starts the component, waits until it really works. Install steps run
 * first: a launch spec may name what they install (Prometheus' binary is looked up on PATH), so
 * building it before them fails on a machine that lacks it.
 */
export async function bringUp(ctx: StackContext, component: Component, task: Task, startedNow: Component[]): Promise<void> {
  for (const step of component.install) {
    if (isStepCurrent(ctx, component.name, step)) continue;
    task.title = `${component.name}: ${step.title}`;
    await step.run(ctx);
    markStepDone(ctx, component.name, step);
  }
  const spec = component.launch(ctx);
  if (runningPid(ctx, component.name) !== undefined) {
    const changed = launchedDifferently(ctx, component.name, spec);
    if (!changed && (await component.isReady(ctx))) {
      task.title = `${component.name}: already healthy`;
      return;
    }
    // Its config or program changed, or it runs but does not answer (a leftover of a crash): start afresh.
    task.title = `${component.name}: ${changed ? 'config changed, restarting' : 'not answering, restarting'}`;
    await stop(ctx, component.name, stopGraceSeconds);
  }
  task.title = `${component.name}: starting`;
  await assertPortsFree(Object.fromEntries(component.ports.map((name) => [name, port(ctx.manifest, name)])));
  await component.initData?.(ctx);
  launch(ctx, component.name, spec);
  startedNow.push(component);
  task.title = `${component.name}: waiting until ready`;
  await waitUntil(
    async (bail) => {
      if (runningPid(ctx, component.name) === undefined) bail(new Error('the process exited'));
      return component.isReady(ctx);
    },
    { what: `${component.name} ready`, timeoutMs: component.readyTimeoutSeconds * 1000, intervalMs: 500 },
  );
  await component.afterReady?.(ctx);
  task.title = `${component.name}: healthy`;
}
