import retry from 'async-retry';

export interface WaitOptions {
  /** Named in the error when time runs out. */
  what: string;
  timeoutMs: number;
  intervalMs: number;
}

/**
 * The repository's one polling helper (stack readiness, tests reading backends, the demo): calls
 * `check` every intervalMs until it returns a value other than undefined or false, or rejects once
 * timeoutMs has passed, naming `what` and the last error `check` threw. `bail(error)` stops at once
 * (a process that exited will not become ready).
 */
export async function waitUntil<T>(
  check: (bail: (error: Error) => void) => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: Error | undefined;
  return retry(
    async (bail) => {
      // After a bail, async-retry would still schedule the next attempt if this one threw: return instead.
      let stopped = false;
      const stop = (error: Error) => {
        stopped = true;
        bail(error);
      };
      try {
        // A check that hangs still ends at the deadline (it is left to settle on its own).
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the check did not answer in time')), Math.max(0, deadline - Date.now()));
        });
        const attempt = new Promise<T | undefined | false>((resolve) => resolve(check(stop))); // a synchronous throw rejects it
        const value = await Promise.race([attempt, late]).finally(() => clearTimeout(timer));
        if (stopped) return undefined as T;
        if (value !== undefined && value !== false) return value;
      } catch (error) {
        if (stopped) return undefined as T;
        lastError = error instanceof Error ? error : new Error(String(error));
      }
      if (Date.now() >= deadline) {
        const cause = lastError ? ` (last: ${lastError.message})` : '';
        stop(new Error(`${options.what}: not within ${options.timeoutMs / 1000} s${cause}`));
        return undefined as T;
      }
      throw new Error(`${options.what}: not yet`);
    },
    {
      retries: Math.ceil(options.timeoutMs / options.intervalMs) + 1,
      factor: 1,
      minTimeout: options.intervalMs,
      maxTimeout: options.intervalMs,
      randomize: false,
    },
  );
}
