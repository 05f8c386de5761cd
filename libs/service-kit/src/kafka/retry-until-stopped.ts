import retry from 'async-retry';

/**
 * Runs `attempt` until it succeeds or the service starts stopping. Kafka may come up long after the
 * service, so there is no attempt limit; the pause between attempts grows from 0.5 s to 10 s.
 */
export async function retryUntilStopped(
  isStopping: () => boolean,
  attempt: () => Promise<void>,
  onRetry: (error: Error) => void,
): Promise<void> {
  await retry(
    async (bail) => {
      // return: a throw after bail would still schedule another attempt
      if (isStopping()) return bail(new Error('stopping'));
      await attempt();
    },
    { forever: true, minTimeout: 500, maxTimeout: 10_000, onRetry: (error) => onRetry(error as Error) },
  ).catch(() => undefined); // with `forever`, only the stop's bail rejects
}
