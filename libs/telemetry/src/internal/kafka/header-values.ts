import { type TextMapGetter } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import type { KafkaHeaders } from '../../types';

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
