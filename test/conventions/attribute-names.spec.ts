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
 * Sources only: specs assert on the names as they appear on the wire, so they spell them out.
 * Attribute names live in one place per package (attributes.ts for tracehop's own, the semantic-
 * convention packages or libs/telemetry's internal/semconv.ts for standard ones), so docs/telemetry.md
 * can be checked against them and a rename happens once. Metric names are their instruments' first argument.
 */
describe('attribute names', () => {
  it('appear as string literals only in attributes.ts and semconv.ts files', () => {
    // Whole names in quotes, and names built in template literals (`messaging.${x}`).
    const literal = /['"`](?:tracehop|messaging)\.[a-z0-9_.]*(?:['"`]|\$\{)/;
    // A metric's name is its instrument's name argument: only that argument is exempt, not the line.
    const metricName =
      /\b(?:defineCounter|defineHistogram)\([^,]+,\s*'[^']+'|\b(?:createObservableGauge|createCounter|createHistogram)\(\s*'[^']+'/g;
    const stray = roots
      .flatMap((root) => sources(join(repo, root)))
      .filter((file) => !/\/(attributes|semconv)\.ts$/.test(file))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, index) => ({ where: `${relative(repo, file)}:${index + 1}`, line }))
          // The metric-name type (`tracehop.${string}`) is a pattern, not a name.
          .filter(({ line }) => !line.includes('type TracehopMetricName') && literal.test(line.replace(metricName, '')))
          .map(({ where, line }) => `${where}: ${line.trim()}`),
      );
    expect(stray).toEqual([]);
  });
});
