import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { InstallStep, StackContext } from '../components/component';
import { repoRoot } from '../paths';
import { goEnv } from './go-toolchain';
import { runCommand } from './run-command';
import { fileInputs } from './stamp';

export interface GoBinary {
  /** Component name: names the cache folder and the install log. */
  name: string;
  /** Version from the manifest: a new version builds into a new folder. */
  version: (ctx: StackContext) => string;
  binaryName: string;
  /** `-X package.variable=value` link-time settings, e.g. the version a program reports. */
  linkerSettings?: (ctx: StackContext) => Record<string, string>;
}

/** -s -w: no symbol table or DWARF (a third smaller); then the binary's -X settings. */
function ldflags(ctx: StackContext, binary: GoBinary): string {
  const settings = Object.entries(binary.linkerSettings?.(ctx) ?? {}).map(([name, value]) => ` -X ${name}=${value}`);
  return `-ldflags=-s -w${settings.join('')}`;
}

export const goBinaryPath = (ctx: StackContext, binary: GoBinary) =>
  join(ctx.paths.cache, 'bin', binary.name, binary.version(ctx), binary.binaryName);

const installLog = (ctx: StackContext, name: string) => join(ctx.paths.cache, 'logs', `${name}-install.log`);

/** go build into a temporary name, then rename: an interrupted build never leaves a broken binary. */
async function buildInto(ctx: StackContext, binary: GoBinary, cwd: string, extraArgs: string[]): Promise<void> {
  const out = goBinaryPath(ctx, binary);
  mkdirSync(join(out, '..'), { recursive: true });
  await runCommand(ctx, 'go', ['build', '-v', '-trimpath', ldflags(ctx, binary), '-o', `${out}.partial`, ...extraArgs], {
    cwd,
    env: goEnv(ctx),
    logFile: installLog(ctx, binary.name),
  });
  renameSync(`${out}.partial`, out);
}

/**
 * `go install <package>@<version>`: for modules without replace directives, no wrapper needed.
 * Installs into a temporary folder, then renames the binary into place.
 */
export function goInstallStep(binary: GoBinary, packagePath: string): InstallStep {
  return {
    title: `build ${binary.binaryName} with Go (module proxy)`,
    inputs: (ctx) => [binary.version(ctx), packagePath, ldflags(ctx, binary)],
    outputExists: (ctx) => existsSync(goBinaryPath(ctx, binary)),
    run: async (ctx) => {
      const out = goBinaryPath(ctx, binary);
      const partial = join(out, '..', '.partial');
      mkdirSync(partial, { recursive: true });
      await runCommand(ctx, 'go', ['install', '-v', '-trimpath', ldflags(ctx, binary), `${packagePath}@${binary.version(ctx)}`], {
        env: { ...goEnv(ctx), GOBIN: partial },
        logFile: installLog(ctx, binary.name),
      });
      renameSync(join(partial, packagePath.split('/').pop() as string), out);
      rmSync(partial, { recursive: true, force: true });
    },
  };
}

/**
 * Builds a program from a checked-in wrapper module (go.mod + go.sum, and a main.go where the
 * program's own main package cannot be named, under infra/native/<name>/), the route for modules
 * whose own replace directives stop `go install`.
 */
export function wrapperModuleStep(binary: GoBinary, moduleDir: string, packagePath: string, tags: string[] = []): InstallStep {
  const dir = join(repoRoot, moduleDir);
  const sources = readdirSync(dir)
    .filter((file) => /^go\.(mod|sum)$|\.go$/.test(file))
    .map((file) => join(dir, file));
  return {
    title: `build ${binary.binaryName} with Go (module proxy)`,
    inputs: (ctx) => [...fileInputs(...sources), ldflags(ctx, binary)],
    outputExists: (ctx) => existsSync(goBinaryPath(ctx, binary)),
    run: async (ctx) => {
      const work = join(ctx.paths.cache, 'build', binary.name);
      mkdirSync(work, { recursive: true });
      for (const source of sources) copyFileSync(source, join(work, source.split('/').pop() as string));
      await buildInto(ctx, binary, work, [...(tags.length ? ['-tags', tags.join(',')] : []), packagePath]);
    },
  };
}

/**
 * Builds the collector distribution with the OpenTelemetry Collector Builder. The builder's own
 * `go mod tidy` fails here because it also resolves the components' test-only dependencies, some of
 * which the module proxy does not serve; so the builder only generates sources (its go.mod is
 * written before tidy runs), and `go mod tidy -e` plus `go build` finish the job.
 */
export function collectorBuildStep(binary: GoBinary, builderConfig: string): InstallStep {
  return {
    title: 'build the collector with the OpenTelemetry Collector Builder',
    inputs: (ctx) => [binary.version(ctx), ...fileInputs(builderConfig)],
    outputExists: (ctx) => existsSync(goBinaryPath(ctx, binary)),
    run: async (ctx) => {
      const env = goEnv(ctx);
      const log = installLog(ctx, binary.name);
      const work = join(ctx.paths.cache, 'build', binary.name);
      mkdirSync(work, { recursive: true });
      copyFileSync(builderConfig, join(work, 'builder-config.yaml'));
      const builder = join(env.GOBIN, 'builder');
      await runCommand(ctx, 'go', ['install', `go.opentelemetry.io/collector/cmd/builder@v${binary.version(ctx)}`], { env, logFile: log });
      await runCommand(ctx, builder, ['--config', 'builder-config.yaml', '--skip-compilation'], { cwd: work, env, logFile: log }).catch(
        (error: Error) => {
          if (!existsSync(join(work, 'dist', 'go.mod'))) throw error;
        },
      );
      const dist = join(work, 'dist');
      await runCommand(ctx, 'go', ['mod', 'tidy', '-e'], { cwd: dist, env, logFile: log });
      await buildInto(ctx, binary, dist, ['.']);
    },
  };
}
