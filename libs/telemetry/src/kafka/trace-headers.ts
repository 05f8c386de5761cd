import { propagation, type Context } from '@opentelemetry/api';
import { kafkaHeaderGetter } from '../internal/kafka/header-values';

export { headerValues } from '../internal/kafka/header-values';
import type { KafkaHeaders } from '../types';

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
