import { headerValues, REPUBLISH_HEADERS, type ConsumedRecord } from '@tracehop/telemetry';

/**
 * Deterministic failures a record has had so far. Not `tracehop-attempt` (which counts every
 * republish): a record moved to the retry topic because a dependency stayed down keeps its budget.
 */
export const FAILED_ATTEMPTS_HEADER = 'tracehop-failed-attempts' as const;

/** Deterministic failures recorded on the record (0 for an original; malformed counts as 0). */
export function failedAttemptsOf(record: ConsumedRecord): number {
  const value = Number(headerValues(record.message.headers, FAILED_ATTEMPTS_HEADER).at(-1));
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** The topic a record on the retry topic was first consumed from (republish records it). */
export function originalTopicOf(record: ConsumedRecord): string | undefined {
  return headerValues(record.message.headers, REPUBLISH_HEADERS.originalTopic).at(-1);
}

/** The record with its failed-attempts count set, for republish to carry on. */
export function withFailedAttempts(record: ConsumedRecord, failedAttempts: number): ConsumedRecord {
  const headers = Object.fromEntries(
    Object.entries(record.message.headers ?? {}).filter(([key]) => key.toLowerCase() !== FAILED_ATTEMPTS_HEADER),
  );
  return {
    ...record,
    message: Object.assign({}, record.message, { headers: { ...headers, [FAILED_ATTEMPTS_HEADER]: String(failedAttempts) } }),
  };
}
