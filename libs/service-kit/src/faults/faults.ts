import { z } from 'zod';

export interface FaultDefinition {
  description: string;
  /** Valid values (a zod number schema: bounds are part of the definition). */
  schema: z.ZodType<number, unknown>;
  /** Value at boot, from the environment variable that sets it. */
  initial: number;
}

export type FaultProblems = Record<string, string[]>;

/**
 * Failure-injection switches for demos (a slow or failing payment processor, a slow consumer), in
 * the spirit of the OpenTelemetry demo's feature flags: set at boot by environment variables,
 * changed at runtime through the loopback-only admin endpoint.
 */
export class Faults {
  private readonly values = new Map<string, number>();

  constructor(private readonly definitions: Record<string, FaultDefinition>) {
    for (const [name, definition] of Object.entries(definitions)) this.values.set(name, definition.initial);
  }

  value(name: string): number {
    const value = this.values.get(name);
    if (value === undefined) throw new Error(`unknown fault ${name}`);
    return value;
  }

  describe(): Record<string, { value: number; description: string }> {
    return Object.fromEntries(
      Object.entries(this.definitions).map(([name, { description }]) => [name, { value: this.value(name), description }]),
    );
  }

  /** Applies a partial update, all or nothing; returns field problems instead when any value is invalid. */
  update(changes: unknown): FaultProblems | undefined {
    // JSON numbers only: the definitions' schemas coerce (they parse environment strings), and `true` must not become 1.
    const shape = Object.fromEntries(
      Object.entries(this.definitions).map(([name, { schema }]) => [
        name,
        z
          .number({ error: 'expected a number' })
          .pipe(schema as z.ZodType<number, number>)
          .optional(),
      ]),
    );
    const parsed = z.strictObject(shape).safeParse(changes);
    if (!parsed.success) {
      const problems: FaultProblems = {};
      for (const issue of parsed.error.issues) {
        const names = issue.code === 'unrecognized_keys' ? issue.keys : [String(issue.path[0] ?? 'body')];
        for (const name of names)
          (problems[name] ??= []).push(
            issue.code === 'unrecognized_keys' ? `unknown fault (known: ${Object.keys(this.definitions).join(', ')})` : issue.message,
          );
      }
      return problems;
    }
    for (const [name, value] of Object.entries(parsed.data)) if (value !== undefined) this.values.set(name, value as number);
    return undefined;
  }
}
