import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A PyPI package pinned to one version, installed into a virtualenv of its own under `cacheDir`
 * (outside the repository, so a fresh clone reuses it). A marker written after pip succeeded tells
 * a finished install from a broken one. Returns the virtualenv's folder.
 */
export async function pythonPackage(cacheDir: string, name: string, version: string): Promise<string> {
  const venv = join(cacheDir, 'python', `${name}-${version}`);
  const marker = join(venv, '.installed');
  if (existsSync(marker)) return venv;
  await rm(venv, { recursive: true, force: true });
  await mkdir(venv, { recursive: true });
  const options = { maxBuffer: 16 * 1024 * 1024 };
  await run('python3', ['-m', 'venv', venv], options).catch((error: Error) => {
    throw new Error(`cannot create ${venv} (needs python3 with its venv module; Debian: apt-get install python3-venv): ${error.message}`);
  });
  await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `${name}==${version}`], options);
  await writeFile(marker, `${version}\n`);
  return venv;
}
