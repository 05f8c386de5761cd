import { join } from 'node:path';
import type { StackContext } from '../components/component';
import { stringEnv } from '../process-env';
import { runCommand } from './run-command';

/**
 * Installs Debian packages. Only root can; anyone else gets the exact command to run.
 * `--no-install-recommends` keeps system services we do not want (node exporters) off the machine.
 */
export async function aptInstall(ctx: StackContext, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; install them and retry:\n  sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  }
  const logFile = join(ctx.paths.cache, 'logs', 'apt.log');
  const env = { ...stringEnv(process.env), DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand(ctx, 'apt-get', ['update', '-qq'], { logFile, env });
  await runCommand(ctx, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { logFile, env });
}
