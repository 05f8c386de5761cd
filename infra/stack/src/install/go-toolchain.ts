import { join } from 'node:path';
import type { StackContext } from '../components/component';

/**
 * Go environment for every build: module and build caches inside the stack's cache folder (a fresh
 * clone reuses them), the module proxy only (no direct VCS fetches: they are unreachable here), and
 * static binaries.
 */
export function goEnv(ctx: StackContext): Record<string, string> {
  const go = join(ctx.paths.cache, 'go');
  return {
    ...stringEnv(process.env),
    GOPROXY: process.env.GOPROXY?.includes('proxy') ? process.env.GOPROXY.replace(/,direct$/, '') : 'https://proxy.golang.org',
    GOWORK: 'off',
    GOTOOLCHAIN: 'auto',
    GOFLAGS: '-modcacherw -buildvcs=false',
    CGO_ENABLED: '0',
    GOPATH: join(go, 'path'),
    GOMODCACHE: join(go, 'mod'),
    GOCACHE: join(go, 'build'),
    GOBIN: join(go, 'bin'),
  };
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
