import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../infra/stack/src/paths';

/**
 * Starts a built service (`npm run build`) the way `nest start` runs it: through
 * tools/node-with-telemetry, so telemetry is preloaded. Shared by the demo and the e2e harness.
 */
export function spawnBuiltService(
  name: string,
  options: { env: NodeJS.ProcessEnv; stdio: StdioOptions; detached?: boolean },
): ChildProcess {
  return spawn(
    join(repoRoot, 'tools', 'node-with-telemetry'),
    ['--enable-source-maps', join(repoRoot, 'dist', 'apps', name, 'src', 'main.js')],
    {
      cwd: repoRoot,
      env: options.env,
      stdio: options.stdio,
      detached: options.detached ?? false,
    },
  );
}
