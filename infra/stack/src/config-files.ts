import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackContext } from './components/component';
import { repoRoot } from './paths';

/** A checked-in file under infra/, e.g. infraFile('native/kafka/server.properties'). */
export function infraFile(relative: string): string {
  return join(repoRoot, 'infra', relative);
}

/**
 * Fills ${NAME} placeholders from the stack's environment, for programs that cannot expand
 * environment variables themselves (Kafka's properties, Prometheus 2.42). An unknown name is an
 * error rather than an empty string.
 */
export function renderConfig(ctx: StackContext, template: string, component: string, fileName: string): string {
  const text = readFileSync(template, 'utf8').replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const value = ctx.env[name];
    if (value === undefined) throw new Error(`${template} uses \${${name}}, which the stack does not define`);
    return value;
  });
  const dir = join(ctx.paths.state, 'config', component);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, fileName);
  writeFileSync(out, text);
  return out;
}
