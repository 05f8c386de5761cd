import 'reflect-metadata';
import { instanceToPlain, plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** A record that can never be processed as it is (unparseable or schema-invalid): it goes to a DLQ. */
export class PoisonMessageError extends Error {
  constructor(
    message: string,
    /** Field → problems, for the dead-letter record and the log. */
    readonly fields: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}

/** Nested validation errors as `{ 'lines.0.quantity': ['quantity must not be less than 1'] }` (events and HTTP bodies alike). */
export function fieldErrors(errors: ValidationError[], prefix = ''): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const error of errors) {
    const path = `${prefix}${error.property}`;
    if (error.constraints) out[path] = Object.values(error.constraints);
    Object.assign(out, fieldErrors(error.children ?? [], `${path}.`));
  }
  return out;
}

/**
 * Producing is strict (an unknown field is a bug of ours); consuming drops unknown fields, so a
 * producer may add an optional field within a version without sending old consumers to the DLQ.
 */
function validated<T extends object>(type: ClassConstructor<T>, plain: unknown, strict: boolean): T {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new PoisonMessageError(`${type.name}: expected a JSON object`);
  }
  const event = plainToInstance(type, plain);
  const errors = validateSync(event, { whitelist: true, forbidNonWhitelisted: strict });
  if (errors.length) {
    const fields = fieldErrors(errors);
    throw new PoisonMessageError(
      `${type.name} is invalid: ${Object.entries(fields)
        .map(([f, p]) => `${f}: ${p.join(', ')}`)
        .join('; ')}`,
      fields,
    );
  }
  return event;
}

/** Validates an event before it is produced: a service never publishes what its consumers would reject. */
export function encodeEvent<T extends object>(type: ClassConstructor<T>, event: T): string {
  return JSON.stringify(instanceToPlain(validated(type, instanceToPlain(event), true)));
}

/** Parses and validates a consumed record's value; anything wrong is a PoisonMessageError. */
export function decodeEvent<T extends object>(type: ClassConstructor<T>, value: Buffer | string | null): T {
  if (value === null) throw new PoisonMessageError(`${type.name}: record has no value`);
  let plain: unknown;
  try {
    plain = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    throw new PoisonMessageError(`${type.name}: value is not JSON`);
  }
  return validated(type, plain, false);
}
