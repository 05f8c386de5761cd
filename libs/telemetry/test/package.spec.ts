import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const lib = join(__dirname, '..');
const repo = join(lib, '../..');
const libPackage = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const rootPackage = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The files `npm pack` puts in the tarball, its scripts (prepack) run as for a publish. */
function packedFiles(): string[] {
  const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: lib, encoding: 'utf8', stdio: 'pipe' });
  const [packed] = JSON.parse(output) as { files: { path: string }[] }[];
  return packed.files.map((file) => file.path).sort();
}

describe('@tracehop/telemetry as a package of its own', () => {
  it('declares every package its sources import, pinned as in the repository', () => {
    const imported = new Set(
      sources(join(lib, 'src')).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/from '((?:@[^/']+\/)?[^./'][^/']*)[^']*'/g)]
          .map((m) => m[1])
          .filter((name) => !name.startsWith('node:')),
      ),
    );
    const declared = { ...libPackage.dependencies, ...libPackage.peerDependencies };
    for (const name of imported) expect({ name, declared: name in declared }).toEqual({ name, declared: true });
    for (const [name, version] of Object.entries(libPackage.dependencies)) {
      expect({ name, version }).toEqual({ name, version: rootPackage.dependencies[name] });
    }
  });

  it('packs the compiled sources, README, LICENSE and CHANGELOG, and nothing left in dist by an older layout', () => {
    mkdirSync(join(lib, 'dist/kafka'), { recursive: true });
    writeFileSync(join(lib, 'dist/kafka/traced-consumer.js'), '// compiled from a source file that no longer exists\n');
    const compiled = sources(join(lib, 'src')).flatMap((file) => {
      const stem = relative(join(lib, 'src'), file).replace(/\.ts$/, '');
      return [`dist/${stem}.js`, `dist/${stem}.js.map`, `dist/${stem}.d.ts`];
    });
    expect(packedFiles()).toEqual([...compiled, 'CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'].sort());
  });

  it('builds a dist whose entry points load', () => {
    // Inside the repository, so the build resolves its dependencies from node_modules like a user's install.
    const out = join(lib, 'dist');
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: lib, stdio: 'pipe' });
    const exported = execFileSync(
      join(repo, 'node_modules/.bin/node'),
      ['-e', `console.log(Object.keys(require(${JSON.stringify(join(out, 'index.js'))})).sort().join(','))`],
      {
        cwd: repo,
        env: { ...process.env, OTEL_SDK_DISABLED: 'true' },
      },
    ).toString();
    expect(exported.trim().split(',')).toEqual(
      expect.arrayContaining(['startTelemetry', 'TracehopKafkaJsInstrumentation', 'republish', 'createLogger']),
    );
  });
});
