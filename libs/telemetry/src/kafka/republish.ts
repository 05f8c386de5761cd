import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';
import { headerValues, inspectTraceparent, type KafkaHeaders } from './trace-headers';

/** Headers a republished (retry or dead-letter) record carries; listed in docs/telemetry.md. */
export const REPUBLISH_HEADERS = {
  attempt: 'tracehop-attempt',
  originalTopic: 'tracehop-original-topic',
  originalPartition: 'tracehop-original-partition',
  originalOffset: 'tracehop-original-offset',
  originTraceparent: 'tracehop-origin-traceparent',
  error: 'tracehop-error',
} as const;

const OWN_HEADERS = new Set<string>([...Object.values(REPUBLISH_HEADERS), 'traceparent', 'tracestate']);

export interface ConsumedRecord {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** How many times the record was republished before (0 for an original; malformed counts as 0). */
export function attemptOf(headers: KafkaHeaders | undefined): number {
  const value = Number(headerValues(headers, REPUBLISH_HEADERS.attempt).pop());
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/** The traceparent of the record's first creation: kept across every retry, so links point at the origin. */
export function originTraceparent(headers: KafkaHeaders | undefined): string | undefined {
  const carried = inspectTraceparent({ traceparent: headerValues(headers, REPUBLISH_HEADERS.originTraceparent) });
  return carried.traceparent ?? inspectTraceparent(headers).traceparent;
}

/**
 * Republishes a record that failed to a retry or dead-letter topic, with the original key, value
 * and headers, plus attempt count, original topic, partition and offset, the failure, and the origin
 * traceparent. The record's own trace headers are not copied: sent through an instrumented producer
 * (inside the failing process span), it gets fresh context, so retries never pile up traceparents;
 * send and process spans of republished records link back to the origin.
 */
export async function republish(producer: Producer, failed: ConsumedRecord, targetTopic: string, error?: unknown): Promise<void> {
  const headers: IHeaders = {};
  for (const [key, value] of Object.entries(failed.message.headers ?? {})) {
    if (value !== undefined && !OWN_HEADERS.has(key.toLowerCase())) headers[key] = value;
  }
  const origin = originTraceparent(failed.message.headers);
  Object.assign(headers, {
    [REPUBLISH_HEADERS.attempt]: String(attemptOf(failed.message.headers) + 1),
    [REPUBLISH_HEADERS.originalTopic]: headerValues(failed.message.headers, REPUBLISH_HEADERS.originalTopic)[0] ?? failed.topic,
    [REPUBLISH_HEADERS.originalPartition]: String(failed.partition),
    [REPUBLISH_HEADERS.originalOffset]: failed.message.offset,
    ...(origin ? { [REPUBLISH_HEADERS.originTraceparent]: origin } : {}),
    ...(error !== undefined ? { [REPUBLISH_HEADERS.error]: (error instanceof Error ? error.message : String(error)).slice(0, 500) } : {}),
  });
  await producer.send({ topic: targetTopic, messages: [{ key: failed.message.key, value: failed.message.value, headers }] });
}
