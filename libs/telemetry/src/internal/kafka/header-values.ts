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

/** Where among a record's traceparent values the one extraction uses sits: the last valid one (-1: none). */
function usedTraceparentIndex(values: string[]): number {
  // The W3C propagator's own parser: what it accepts is exactly what extraction will use.
  return values.findLastIndex((v) => parseTraceParent(v.trim()) !== null);
}

/** What the record's traceparent header(s) hold, so a consumer can mark and log a broken hop. */
export function inspectTraceparent(headers: KafkaHeaders | undefined): TraceparentInspection {
  const values = headerValues(headers, 'traceparent');
  if (values.length === 0) return { state: 'absent', count: 0 };
  const used = usedTraceparentIndex(values);
  return used >= 0
    ? { state: 'valid', traceparent: values[used].trim(), count: values.length }
    : { state: 'malformed', count: values.length };
}

/**
 * The tracestate that belongs to the traceparent extraction uses (W3C: tracestate is the companion
 * of its traceparent). With one traceparent, repeated tracestate fields are one list, combined in
 * order (W3C Trace Context, RFC 9110 section 5.3). W3C defines no record with several traceparents;
 * then the n-th tracestate goes with the n-th traceparent when the counts match, and none is used
 * when they do not: another context's vendor data is worse than none.
 */
function pairedTracestate(headers: KafkaHeaders | undefined): string | undefined {
  const tracestates = headerValues(headers, 'tracestate');
  const traceparents = headerValues(headers, 'traceparent');
  if (tracestates.length === 0) return undefined;
  if (traceparents.length <= 1) return tracestates.join(',');
  return tracestates.length === traceparents.length ? tracestates[usedTraceparentIndex(traceparents)] : undefined;
}

/**
 * Getter for propagation.extract over kafkajs headers: Buffer, string and repeated (array) values.
 * traceparent: the last valid value; tracestate: the one paired with it; other fields (baggage) are
 * list-valued in W3C, so repeated values are joined with commas.
 */
export const kafkaHeaderGetter: TextMapGetter<KafkaHeaders> = {
  keys: (carrier) => Object.keys(carrier ?? {}),
  get: (carrier, key) => {
    if (key.toLowerCase() === 'traceparent') return inspectTraceparent(carrier).traceparent;
    if (key.toLowerCase() === 'tracestate') return pairedTracestate(carrier);
    const values = headerValues(carrier, key);
    return values.length ? values.join(',') : undefined;
  },
};
