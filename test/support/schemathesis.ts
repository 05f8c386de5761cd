import { join } from 'node:path';
import { pythonPackage } from '../../infra/stack/src/install/python-venv';
import { stackPaths } from '../../infra/stack/src/paths';

/** Pinned, and why: docs/stack.md ("Pins that are where they are because of what is served"). */
export const SCHEMATHESIS_VERSION = '4.32.5';

/**
 * The `st` command of schemathesis, installed from PyPI on first use into a virtualenv in the stack's
 * cache folder (/var/cache/tracehop as root, ~/.cache/tracehop otherwise), outside the repository.
 */
export async function schemathesis(): Promise<string> {
  return join(await pythonPackage(stackPaths().cache, 'schemathesis', SCHEMATHESIS_VERSION), 'bin', 'st');
}
