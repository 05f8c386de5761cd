import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import extractZip from 'extract-zip';
import which from 'which';
import type { StackContext } from '../components/component';
import { loadManifest } from '../manifest';
import { aptInstall } from './apt';

/** Which build tools each component's install needs (the rest comes from npm, Maven Central, the Go proxy, Debian). */
const TOOLS_BY_COMPONENT: Record<string, ('java' | 'mvn' | 'go')[]> = {
  kafka: ['java', 'mvn'],
  search: ['java', 'mvn'],
  agent: ['go'],
  gateway: ['go'],
  jaeger: ['go'],
  victorialogs: ['go'],
  // Not a component: helm, kubeconform and the control plane that validate the Helm chart.
  'kubernetes-tools': ['go'],
};

const DEBIAN_PACKAGES = { java: 'openjdk-17-jdk-headless', mvn: 'maven' } as const;

/** Where a Go toolchain fetched from the module proxy lives (used when no `go` is on PATH). */
export function goToolchainBin(ctx: StackContext): string {
  return join(ctx.paths.cache, 'go-toolchain', loadManifest().toolchain.go, 'bin');
}

function goArchive(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string] ?? process.arch;
  return `v0.0.1-${loadManifest().toolchain.go}.${process.platform}-${arch}.zip`;
}

/**
 * Go from the module proxy itself (module golang.org/toolchain, the archives `GOTOOLCHAIN=auto`
 * downloads): no `go` needs to be installed first, and Debian's golang-go (1.19) is too old to
 * switch toolchains on its own.
 */
async function fetchGoToolchain(ctx: StackContext, say: (line: string) => void): Promise<void> {
  const proxy = (process.env.GOPROXY ?? 'https://proxy.golang.org').split(',')[0];
  const url = `${proxy}/golang.org/toolchain/@v/${goArchive()}`;
  const target = join(ctx.paths.cache, 'go-toolchain');
  const zip = join(target, goArchive());
  mkdirSync(target, { recursive: true });
  say(`downloading ${url}`);
  const response = await fetch(url);
  if (!response.ok || !response.body) throw new Error(`Go toolchain: ${url} answered ${response.status}`);
  await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(`${zip}.partial`));
  renameSync(`${zip}.partial`, zip);
  say('unpacking the Go toolchain');
  const unpacked = join(target, 'unpacked');
  rmSync(unpacked, { recursive: true, force: true });
  await extractZip(zip, { dir: unpacked });
  // The archive holds golang.org/toolchain@<version>/{bin,src,pkg,…}.
  renameSync(join(unpacked, `golang.org/toolchain@${goArchive().replace(/\.zip$/, '')}`), join(target, loadManifest().toolchain.go));
  rmSync(unpacked, { recursive: true, force: true });
  rmSync(zip, { force: true });
}

/** The build tools the selected components need and the machine lacks. */
export function missingTools(ctx: StackContext, componentNames: string[]): string[] {
  const needed = new Set(componentNames.flatMap((name) => TOOLS_BY_COMPONENT[name] ?? []));
  return [...needed].filter((tool) => {
    if (tool === 'go') return !which.sync('go', { nothrow: true }) && !existsSync(join(goToolchainBin(ctx), 'go'));
    if (tool === 'java') return !process.env.JAVA_HOME && !which.sync('java', { nothrow: true });
    return !which.sync(tool, { nothrow: true });
  });
}

/** Installs what `missingTools` found: JDK 17 and Maven from Debian (as root), Go from the module proxy. */
export async function installTools(ctx: StackContext, tools: string[], say: (line: string) => void): Promise<void> {
  const debian = tools.filter((tool): tool is keyof typeof DEBIAN_PACKAGES => tool in DEBIAN_PACKAGES).map((tool) => DEBIAN_PACKAGES[tool]);
  if (debian.length) {
    say(`apt-get install ${debian.join(' ')}`);
    await aptInstall(ctx, debian);
  }
  if (tools.includes('go')) await fetchGoToolchain(ctx, say);
}
