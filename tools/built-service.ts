import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..');

/**
 * Starts a built service (`npm run build`) the way `nest start` runs it: through
 * tools/node-with-telemetry, so telemetry is preloaded. Shared by the demo and the e2e harness.
 */
export function spawnBuiltService(name: string, options: { env: NodeJS.ProcessEnv; stdio: StdioOptions; detached?: boolean }): ChildProcess {
  return spawn(join(REPO_ROOT, 'tools', 'node-with-telemetry'), ['--enable-source-maps', join(REPO_ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: REPO_ROOT,
    env: options.env,
    stdio: options.stdio,
    detached: options.detached ?? false,
  });
}
