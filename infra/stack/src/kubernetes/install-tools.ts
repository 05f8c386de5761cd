import { Listr, PRESET_TIMER } from 'listr2';
import type { Task } from '../bring-up';
import { createContext } from '../context';
import { installTools, missingTools } from '../install/prerequisites';
import { isStepCurrent, markStepDone } from '../install/stamp';
import { kubernetesToolSteps } from './tools';

/** Stamps and logs of these steps go under this name, as a component's would. */
const toolset = 'kubernetes-tools';

/**
 * `kubernetes tools`: builds what is missing or outdated, skips what the cache holds. A cold build
 * takes about 12 min on two cores, half of it the control plane (docs/kubernetes.md).
 */
export async function installKubernetesTools(): Promise<void> {
  let currentTask: Task | undefined;
  const ctx = createContext((line) => {
    if (currentTask) currentTask.output = line;
  });
  const tools = missingTools(ctx, [toolset]);
  const pending = kubernetesToolSteps.filter((step) => !isStepCurrent(ctx, toolset, step));
  await new Listr(
    [
      ...(tools.length
        ? [
            {
              title: `build tools: ${tools.join(', ')}`,
              task: (_: unknown, task: Task) => installTools(ctx, tools, (line) => (task.output = line)),
            },
          ]
        : []),
      ...pending.map((step) => ({
        title: step.title,
        task: async (_: unknown, task: Task) => {
          currentTask = task;
          await step.run(ctx);
          markStepDone(ctx, toolset, step);
        },
      })),
    ],
    {
      exitOnError: true,
      rendererOptions: { timer: PRESET_TIMER, collapseErrors: false },
      fallbackRenderer: 'verbose',
      fallbackRendererOptions: { timer: PRESET_TIMER },
    },
  ).run();
  if (!pending.length) console.log('kubernetes tools: all current (cache: ' + ctx.paths.cache + ')');
}
