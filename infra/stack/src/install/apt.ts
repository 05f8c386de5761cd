import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackContext } from '../components/component';
import { stringEnv } from '../process-env';
import { runCommand } from './run-command';

/** Debian's hook that asks whether a package's maintainer scripts may start its service. */
const policyRcD = '/usr/sbin/policy-rc.d';

/**
 * Installs Debian packages. Only root can; anyone else gets the exact command to run.
 * `--no-install-recommends` keeps system services we do not want (node exporters) off the machine.
 * The stack runs Prometheus and Postgres itself, on loopback: the system services these packages
 * bring must neither start now (Debian's Prometheus would listen on every interface, on the
 * stack's port) nor at the next boot.
 */
export async function aptInstall(ctx: StackContext, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; install them and retry:\n  sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  }
  const logFile = join(ctx.paths.cache, 'logs', 'apt.log');
  const env = { ...stringEnv(process.env), DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand(ctx, 'apt-get', ['update', '-qq'], { logFile, env });
  // Exit code 101: "action forbidden by policy" (invoke-rc.d and deb-systemd-invoke honour it).
  const ownPolicy = !existsSync(policyRcD);
  if (ownPolicy) writeFileSync(policyRcD, '#!/bin/sh\n# written by the tracehop stack while it installs packages\nexit 101\n', { mode: 0o755 });
  try {
    await runCommand(ctx, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { logFile, env });
  } finally {
    if (ownPolicy) rmSync(policyRcD, { force: true });
  }
  await disableSystemServices(ctx, packages, logFile);
}

/** With systemd running, the units the packages enabled would start at the next boot: disable them. */
async function disableSystemServices(ctx: StackContext, packages: string[], logFile: string): Promise<void> {
  if (!existsSync('/run/systemd/system')) return;
  const units = packages.flatMap((name) => (name === 'prometheus' ? ['prometheus.service'] : name.startsWith('postgresql') ? ['postgresql.service'] : []));
  if (!units.length) return;
  // Not fatal: the stack's own processes run either way; the log says what systemd answered.
  await runCommand(ctx, 'systemctl', ['disable', '--now', ...units], { logFile }).catch(() => ctx.report(`could not disable ${units.join(', ')} (see ${logFile})`));
}
