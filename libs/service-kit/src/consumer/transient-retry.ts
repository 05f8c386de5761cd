import { interruptibleSleep } from '../lifecycle/interruptible-sleep';

/** How long a transient failure is retried in place: attempts and time, with a capped exponential backoff. */
export interface TransientRetryBounds {
  /** Attempts in all, the first included. */
  attempts: number;
  /** No retry starts later than this after the first attempt. */
  withinMs: number;
  /** The first pause; it doubles after each failure up to `maxDelayMs`. */
  minDelayMs: number;
  maxDelayMs: number;
}

/** In-place retries ran out while the failure was still transient; `cause` is the last failure. */
export class TransientRetriesExhausted extends Error {
  constructor(
    readonly attempts: number,
    readonly cause: unknown,
  ) {
    super(`still failing after ${attempts} attempts: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'TransientRetriesExhausted';
  }
}

/**
 * Runs `work` until it succeeds, retrying failures `isTransient` accepts, within the bounds. Anything
 * else is rethrown at once; running out throws TransientRetriesExhausted. The signal ends a pause at
 * once and stops further attempts (rejecting with its reason).
 */
export async function retryTransient<T>(
  work: () => Promise<T>,
  options: {
    bounds: TransientRetryBounds;
    signal: AbortSignal;
    isTransient: (error: unknown) => boolean;
    /** Called before each pause (a log line, a metric, a heartbeat). */
    beforeRetry: (error: unknown, attempt: number) => void;
  },
): Promise<T> {
  const { bounds, signal } = options;
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    signal.throwIfAborted();
    try {
      return await work();
    } catch (error) {
      if (!options.isTransient(error)) throw error;
      const pause = Math.min(bounds.maxDelayMs, bounds.minDelayMs * 2 ** (attempt - 1));
      if (attempt >= bounds.attempts || Date.now() - started + pause > bounds.withinMs) throw new TransientRetriesExhausted(attempt, error);
      options.beforeRetry(error, attempt);
      await interruptibleSleep(pause, signal);
    }
  }
}
