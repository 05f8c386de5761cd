import retry from 'async-retry';

/**
 * Polls a backend until the check returns a value (not undefined) or the deadline passes; the last
 * failure is what the test reports. Telemetry arrives asynchronously through agent → gateway → backend.
 */
export async function eventually<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  return retry(
    async (bail) => {
      const value = await check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) bail(new Error(`${what}: not found within ${seconds} s`));
      throw new Error(`${what}: not yet`);
    },
    { retries: 1000, factor: 1, minTimeout: 500, maxTimeout: 500, maxRetryTime: seconds * 1000 + 1000 },
  );
}
