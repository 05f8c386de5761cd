import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `millis`, or until the signal aborts: then rejects at once with the abort's reason, so a
 * stopping consumer never waits out a backoff or a retry delay.
 */
export async function interruptibleSleep(millis: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(millis, undefined, { signal });
  } catch {
    throw signal.reason;
  }
}
