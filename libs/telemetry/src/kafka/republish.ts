import type { IHeaders, Producer } from 'kafkajs';
import { REPUBLISH_HEADERS } from '../headers';
import { attemptOf, originalPosition, originTraceparent } from '../internal/kafka/republished-record';
import { redactText } from '../internal/redaction/redact-text';
import type { ConsumedRecord } from '../types';

const OWN_HEADERS = new Set<string>([...Object.values(REPUBLISH_HEADERS), 'traceparent', 'tracestate']);

/**
 * Republishes a record that failed to a retry or dead-letter topic, with the original key, value
 * and headers, plus attempt count, where it was first consumed from (kept across retries), the
 * failure's message (e-mail addresses and card numbers redacted: headers go to every reader of the
 * topic and pass no collector), and the origin traceparent. The record's own trace headers are not
 * copied: sent through an instrumented producer (inside the failing process span), it gets fresh
 * context, so retries never pile up traceparents; send and process spans of republished records
 * link back to the origin.
 */
export async function republish(producer: Producer, failed: ConsumedRecord, targetTopic: string, error?: unknown): Promise<void> {
  const headers: IHeaders = {};
  for (const [key, value] of Object.entries(failed.message.headers ?? {})) {
    if (value !== undefined && !OWN_HEADERS.has(key.toLowerCase())) headers[key] = value;
  }
  const origin = originTraceparent(failed.message.headers);
  const original = originalPosition(failed);
  Object.assign(headers, {
    [REPUBLISH_HEADERS.attempt]: String(attemptOf(failed.message.headers) + 1),
    [REPUBLISH_HEADERS.originalTopic]: original.topic,
    [REPUBLISH_HEADERS.originalPartition]: original.partition,
    [REPUBLISH_HEADERS.originalOffset]: original.offset,
    ...(origin ? { [REPUBLISH_HEADERS.originTraceparent]: origin } : {}),
    ...(error !== undefined
      ? { [REPUBLISH_HEADERS.error]: redactText(error instanceof Error ? error.message : String(error)).slice(0, 500) }
      : {}),
  });
  await producer.send({ topic: targetTopic, messages: [{ key: failed.message.key, value: failed.message.value, headers }] });
}
