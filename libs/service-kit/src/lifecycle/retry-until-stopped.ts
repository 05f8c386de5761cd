import { interruptibleSleep } from './interruptible-sleep';

const FIRST_PAUSE_MS = 500;
const MAX_PAUSE_MS = 10_000;

/**
 * Runs `attempt` until it succeeds or the signal aborts. Kafka may come up long after the service,
 * so there is no attempt limit; the pause between attempts doubles from 0.5 s to 10 s and ends at
 * once when the service stops, so a stop never waits out a pause. Resolves either way.
 */
export async function retryUntilStopped(signal: AbortSignal, attempt: () => Promise<void>, onRetry: (error: Error) => void): Promise<void> {
  for (let pause = FIRST_PAUSE_MS; !signal.aborted; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (signal.aborted) return;
      onRetry(error instanceof Error ? error : new Error(String(error)));
    }
    await interruptibleSleep(pause, signal).catch(() => undefined);
  }
}
