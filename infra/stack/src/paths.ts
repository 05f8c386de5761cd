import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The repository this command runs from. */
export const repoRoot = resolve(__dirname, '../../..');

/**
 * Builds and downloads live outside the repository so a fresh clone (what CI uses) reuses them;
 * data, logs and pid files live in a state folder so `down` keeps them and `reset` wipes them.
 */
export interface StackPaths {
  cache: string;
  state: string;
  data: (component: string) => string;
  logFile: (component: string) => string;
  pidFile: (component: string) => string;
}

/**
 * As root, Elasticsearch and Postgres run as an unprivileged user who cannot enter root's home,
 * so the defaults move to /var; other users keep the XDG folders in their home.
 */
export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const root = process.getuid?.() === 0;
  const defaultCache = root ? '/var/cache/tracehop' : join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'tracehop');
  const defaultState = root ? '/var/lib/tracehop' : join(env.XDG_STATE_HOME ?? join(homedir(), '.local/state'), 'tracehop');
  const cache = resolve(env.TRACEHOP_CACHE_DIR ?? defaultCache);
  const state = resolve(env.TRACEHOP_STATE_DIR ?? defaultState);
  return {
    cache,
    state,
    data: (component) => join(state, 'data', component),
    logFile: (component) => join(state, 'logs', `${component}.log`),
    pidFile: (component) => join(state, 'run', `${component}.json`),
  };
}
