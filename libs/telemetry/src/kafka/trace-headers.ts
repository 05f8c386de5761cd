import { propagation, type Context, type TextMapGetter } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/**
 * kafkajs header shapes: producers pass strings or Buffers; consumers receive Buffers, and an array
 * of Buffers when a header key occurs more than once in the record.
 */
export type KafkaHeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type KafkaHeaders = Record<string, KafkaHeaderValue>;

/** Every value of a header, in record order, matching its name case-insensitively. */
export function headerValues(headers: KafkaHeaders | undefined, name: string): string[] {
  if (!headers) return [];
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value == null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item != null) values.push(typeof item === 'string' ? item : item.toString('utf8'));
    }
  }
  return values;
}

export type TraceparentState = 'absent' | 'valid' | 'malformed';

export interface TraceparentInspection {
  state: TraceparentState;
  /** The value extraction uses: the last valid one (a republished message appends its own). */
  traceparent?: string;
  /** How many traceparent values the record carried (more than one: duplicated header). */
  count: number;
}

/** What the record's traceparent header(s) hold, so a consumer can mark and log a broken hop. */
export function inspectTraceparent(headers: KafkaHeaders | undefined): TraceparentInspection {
  const values = headerValues(headers, 'traceparent').map((v) => v.trim());
  if (values.length === 0) return { state: 'absent', count: 0 };
  // The W3C propagator's own parser: what it accepts is exactly what extraction will use.
  const valid = values.filter((v) => parseTraceParent(v) !== null);
  return valid.length
    ? { state: 'valid', traceparent: valid[valid.length - 1], count: values.length }
    : { state: 'malformed', count: values.length };
}

/**
 * Getter for propagation.extract over kafkajs headers: Buffer, string and repeated (array) values.
 * traceparent: the last valid value; other fields (tracestate, baggage) are list-valued in W3C, so
 * repeated values are joined with commas.
 */
export const kafkaHeaderGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => {
    if (key.toLowerCase() === 'traceparent') return inspectTraceparent(carrier).traceparent;
    const values = headerValues(carrier, key);
    return values.length ? values.join(',') : undefined;
  },
};

/** The context carried by a consumed record's headers (root context when there is none or it is malformed). */
export function extractTraceContext(parent: Context, headers: KafkaHeaders | undefined): Context {
  return propagation.extract(parent, headers ?? {}, kafkaHeaderGetter);
}

/**
 * Headers to send: a new object (the caller's stays untouched) with the caller's headers minus
 * undefined values (kafkajs crashes on them), where every field the propagator injects replaces
 * any existing header of that name, whatever its case: one traceparent, never two.
 */
export function withTraceHeaders(
  headers: KafkaHeaders | undefined,
  context: Context,
): Record<string, Buffer | string | (Buffer | string)[]> {
  const injected: Record<string, string> = {};
  propagation.inject(context, injected);
  const replaced = new Set(Object.keys(injected).map((k) => k.toLowerCase()));
  const out: Record<string, Buffer | string | (Buffer | string)[]> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (value === undefined || value === null || replaced.has(key.toLowerCase())) continue;
    out[key] = Array.isArray(value) ? value.filter((v) => v != null) : value;
  }
  return Object.assign(out, injected);
}
