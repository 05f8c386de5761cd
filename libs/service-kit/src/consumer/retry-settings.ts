/**
 * How a consumer group retries records that failed. The service configuration maps environment
 * variables onto these (named in parentheses); the in-place backoff itself is CONSUMER_RETRY_MIN_MS
 * → CONSUMER_RETRY_MAX_MS.
 */
export interface ConsumerRetrySettings {
  /** Deterministic failures a record may have, the first included, before it is dead-lettered (CONSUMER_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** How long after it was sent to the retry topic a record is tried again (CONSUMER_RETRY_DELAY_MS). */
  retryDelayMs: number;
  /** In-place attempts of a transient failure before the record moves to the retry topic (CONSUMER_TRANSIENT_ATTEMPTS). */
  transientAttempts: number;
  /** How long a transient failure is retried in place before the record moves to the retry topic (CONSUMER_TRANSIENT_MAX_MS). */
  transientWithinMs: number;
}

/**
 * Three tries of a deterministic failure, 5 s apart: enough for a race with another record or a quick
 * fix, few enough that the DLQ gets the record within seconds. A minute in place for a transient one:
 * a Postgres or broker restart fits, a longer outage moves the record aside and lets the partition go on.
 */
export const CONSUMER_RETRY_DEFAULTS: ConsumerRetrySettings = {
  maxAttempts: 3,
  retryDelayMs: 5_000,
  transientAttempts: 20,
  transientWithinMs: 60_000,
};
