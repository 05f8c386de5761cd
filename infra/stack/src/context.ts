import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import type { StackContext } from './components/component';
import { loadManifest } from './manifest';
import { stackPaths } from './paths';
import { loadSecrets } from './secrets';
import { stackEnv } from './stack-env';

const serviceUserName = 'tracehop';

/**
 * Postgres refuses to run as root. As root, the stack runs it as a system user of its own,
 * created on first use; any other user runs everything as themselves.
 */
function serviceUser(): StackContext['serviceUser'] {
  if (process.getuid?.() !== 0) return undefined;
  // stderr ignored: "no such user" is the expected answer on first use, not news for the user.
  const id = (flag: string) => Number(execFileSync('id', [flag, serviceUserName], { stdio: ['ignore', 'pipe', 'ignore'] }).toString());
  const lookup = () => {
    try {
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  let ids = lookup();
  if (!ids) {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', serviceUserName]);
    ids = lookup();
  }
  if (!ids) throw new Error(`could not create the service user ${serviceUserName}`);
  return { name: serviceUserName, ...ids };
}

export function createContext(report: (line: string) => void = () => undefined): StackContext {
  const manifest = loadManifest();
  const paths = stackPaths();
  return {
    manifest,
    paths,
    env: stackEnv(manifest, paths, loadSecrets(paths, manifest.ports.POSTGRES_PORT)),
    serviceUser: userInfo().uid === 0 ? serviceUser() : undefined,
    report,
  };
}
