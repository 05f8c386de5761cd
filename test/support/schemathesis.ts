import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stackPaths } from '../../infra/stack/src/paths';

const run = promisify(execFile);

/** Pinned, and why: docs/stack.md ("Pins that are where they are because of what is served"). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * The `st` command of schemathesis, installed from PyPI on first use into a virtualenv in the stack's
 * cache folder (/var/cache/tracehop as root, ~/.cache/tracehop otherwise), outside the repository, so
 * a fresh clone reuses it. A marker written after pip succeeded tells a finished install from a broken one.
 */
export async function schemathesis(): Promise<string> {
  const venv = join(stackPaths().cache, 'python', `schemathesis-${SCHEMATHESIS_VERSION}`);
  const st = join(venv, 'bin', 'st');
  const marker = join(venv, '.installed');
  if (existsSync(marker)) return st;
  await rm(venv, { recursive: true, force: true });
  await mkdir(venv, { recursive: true });
  const options = { maxBuffer: 16 * 1024 * 1024 };
  await run('python3', ['-m', 'venv', venv], options).catch((error: Error) => {
    throw new Error(`cannot create ${venv} (needs python3 with its venv module; Debian: apt-get install python3-venv): ${error.message}`);
  });
  await run(
    join(venv, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`],
    options,
  );
  await writeFile(marker, `${SCHEMATHESIS_VERSION}\n`);
  return st;
}
