import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackContext } from '../components/component';
import { stringEnv } from '../process-env';
import { runCommand } from './run-command';

/** Debian's hook that asks whether a package's maintainer scripts may start its service. */
const policyRcD = '/usr/sbin/policy-rc.d';
const policyMarker = '# written by the tracehop stack while it installs packages';

/**
 * Installs Debian packages. Only root can; anyone else gets the exact command to run.
 * `--no-install-recommends` keeps system services we do not want (node exporters) off the machine.
 * The stack runs Prometheus and Postgres itself, on loopback: the system services these packages
 * bring must neither start now (Debian's Prometheus would listen on every interface, on the
 * stack's port) nor at the next boot.
 */
export async function aptInstall(ctx: StackContext, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing Debian packages; install them and retry:\n  sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`,
    );
  }
  const logFile = join(ctx.paths.cache, 'logs', 'apt.log');
  const env = { ...stringEnv(process.env), DEBIAN_FRONTEND: 'noninteractive' };
  await runCommand(ctx, 'apt-get', ['update', '-qq'], { logFile, env });
  // Ours from a run that was killed mid-install (its `finally` never ran): it would keep every
  // later package upgrade on the machine from restarting its service.
  if (existsSync(policyRcD) && readFileSync(policyRcD, 'utf8').includes(policyMarker)) rmSync(policyRcD);
  // Exit code 101: "action forbidden by policy" (invoke-rc.d and deb-systemd-invoke honour it).
  const ownPolicy = !existsSync(policyRcD);
  if (ownPolicy) writeFileSync(policyRcD, `#!/bin/sh\n${policyMarker}\nexit 101\n`, { mode: 0o755, flag: 'wx' });
  try {
    await runCommand(ctx, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { logFile, env });
  } finally {
    if (ownPolicy) rmSync(policyRcD, { force: true });
  }
  await keepSystemServicesOff(ctx, packages, logFile);
}

/**
 * Keeps what the packages just installed from starting at the next boot, and nothing else: the
 * Prometheus unit, and the one cluster postgresql-<version> made (not the umbrella
 * postgresql.service, which would also stop clusters of other versions the machine runs).
 */
async function keepSystemServicesOff(ctx: StackContext, packages: string[], logFile: string): Promise<void> {
  for (const name of packages) {
    const version = /^postgresql-(\d+)$/.exec(name)?.[1];
    const startConf = `/etc/postgresql/${version}/main/start.conf`;
    if (version && existsSync(startConf)) writeFileSync(startConf, '# tracehop: the stack runs its own cluster\ndisabled\n');
  }
  if (packages.includes('prometheus') && existsSync('/run/systemd/system')) {
    // Not fatal: the stack's own processes run either way; the log says what systemd answered.
    await runCommand(ctx, 'systemctl', ['disable', '--now', 'prometheus.service'], { logFile }).catch(() =>
      ctx.report(`could not disable prometheus.service (see ${logFile})`),
    );
  }
}
