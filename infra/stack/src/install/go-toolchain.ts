import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { StackContext } from '../components/component';
import { stringEnv } from '../process-env';
import { goToolchainBin } from './prerequisites';

/**
 * Go environment for every build: module and build caches inside the stack's cache folder (a fresh
 * clone reuses them), the module proxy only (no direct VCS fetches: they are unreachable here), and
 * static binaries.
 */
export function goEnv(ctx: StackContext): Record<string, string> {
  const go = join(ctx.paths.cache, 'go');
  const env = stringEnv(process.env);
  // A toolchain fetched from the proxy (no `go` on the machine) goes first on PATH.
  const fetched = goToolchainBin(ctx);
  return {
    ...env,
    ...(existsSync(join(fetched, 'go')) ? { PATH: [fetched, env.PATH].filter(Boolean).join(delimiter) } : {}),
    // Without ",direct": a module the proxy refuses must fail at once, not hang on an unreachable VCS host.
    GOPROXY: (process.env.GOPROXY ?? 'https://proxy.golang.org').replace(/,direct$/, ''),
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
