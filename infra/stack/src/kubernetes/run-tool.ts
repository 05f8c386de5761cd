import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { StackContext } from '../components/component';
import { kubernetesBinary, type KubernetesBinary } from './tools';

const run = promisify(execFile);

/**
 * Runs one of the Kubernetes tools and returns its standard output; a failure names the command
 * and carries its standard error. Helm's caches and settings stay in the stack cache, not the home.
 */
export async function runKubernetesTool(
  ctx: StackContext,
  tool: KubernetesBinary,
  args: string[],
  options: { input?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const helmHome = join(ctx.paths.cache, 'helm');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: join(helmHome, 'cache'),
    HELM_CONFIG_HOME: join(helmHome, 'config'),
    HELM_DATA_HOME: join(helmHome, 'data'),
    ...options.env,
  };
  const child = run(kubernetesBinary(ctx, tool), args, { env, maxBuffer: 64 * 1024 * 1024 });
  if (options.input !== undefined) child.child.stdin?.end(options.input);
  try {
    return (await child).stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string; stdout?: string };
    const detail = [failure.stderr?.trim(), failure.stdout?.trim()].filter(Boolean).join('\n') || failure.message;
    throw new Error(`${tool} ${args.join(' ')} failed:\n${detail}`, { cause: error });
  }
}
