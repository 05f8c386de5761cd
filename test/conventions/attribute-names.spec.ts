import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const repo = join(__dirname, '../..');
const roots = ['apps', 'libs', 'tools', 'infra/stack/src', 'bench'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (['node_modules', 'dist', 'test', 'results'].includes(entry)) return [];
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Attribute names live in one place per package (attributes.ts for tracehop's own, the semantic-
 * convention packages or libs/telemetry's internal/semconv.ts for standard ones), so docs/telemetry.md
 * can be checked against them and a rename happens once. Metric names are their instruments' first argument.
 */
describe('attribute names', () => {
  it('appear as string literals only in attributes.ts and semconv.ts files', () => {
    const literal = /['"`](?:tracehop|messaging)\.[a-z0-9_.]+['"`]/;
    const metricName = /\b(?:defineCounter|defineHistogram|createObservableGauge|createCounter|createHistogram)\(/;
    const stray = roots
      .flatMap((root) => sources(join(repo, root)))
      .filter((file) => !/\/(attributes|semconv)\.ts$/.test(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ where: `${relative(repo, file)}:${index + 1}`, line }))
          .filter(({ line }) => literal.test(line) && !metricName.test(line))
          .map(({ where, line }) => `${where}: ${line.trim()}`),
      );
    expect(stray).toEqual([]);
  });
});
