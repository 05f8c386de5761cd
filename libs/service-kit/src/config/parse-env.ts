import type { z } from 'zod';

/** The environment does not describe a runnable service; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: Record<string, string>) {
    super(
      `invalid configuration:\n${Object.entries(problems)
        .map(([name, problem]) => `  ${name}: ${problem}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a zod schema. Values are never echoed (they may be secrets); each
 * problem is reported under the variable's name, so a bad environment fails at boot with
 * `PORT: expected a port number (1-65535)`.
 */
export function parseEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.output<Schema> {
  // A variable set to nothing (`OUTBOX_POLL_MS=`) means "use the default", not 0.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = schema.safeParse(present);
  if (result.success) return result.data;
  const problems: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const name = String(issue.path[0] ?? '(environment)');
    problems[name] = problems[name] ? `${problems[name]}; ${issue.message}` : issue.message;
  }
  throw new ConfigError(problems);
}
