import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const lib = join(__dirname, '..');

/** Every name src/index.ts exports, values and types alike, as the compiler resolves them. */
function exportedNames(): string[] {
  const entry = join(lib, 'src/index.ts');
  const program = ts.createProgram([entry], { strict: true, skipLibCheck: true, noEmit: true, types: [] });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker
    .getExportsOfModule(module)
    .map((symbol) => symbol.name)
    .sort();
}

/** The names in the first column of README.md's API table. */
function documentedNames(): string[] {
  const readme = readFileSync(join(lib, 'README.md'), 'utf8');
  const section = readme.split('\n## API\n')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]))
    .sort();
}

describe('@tracehop/telemetry public API', () => {
  it('exports exactly what README.md documents under API', () => {
    expect(exportedNames()).toEqual(documentedNames());
  });
});
