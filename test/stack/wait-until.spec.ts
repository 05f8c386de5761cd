import { waitUntil } from '../../infra/stack/src/wait-until';

describe('waitUntil, the one polling helper', () => {
  it('resolves with the first value that is neither undefined nor false', async () => {
    let calls = 0;
    await expect(
      waitUntil(() => (++calls >= 3 ? `after ${calls}` : undefined), { what: 'three calls', timeoutMs: 5000, intervalMs: 10 }),
    ).resolves.toBe('after 3');
  });

  it('rejects at the deadline naming what it waited for and the last error', async () => {
    await expect(
      waitUntil(
        () => {
          throw new Error('connection refused');
        },
        { what: 'the backend', timeoutMs: 200, intervalMs: 20 },
      ),
    ).rejects.toThrow('the backend: not within 0.2 s (last: connection refused)');
  });

  it('ends at the deadline even while a check hangs', async () => {
    // Without the deadline race this never settles, and Jest's own timeout fails the test.
    await expect(
      waitUntil(() => new Promise<never>(() => undefined), { what: 'a hanging probe', timeoutMs: 300, intervalMs: 50 }),
    ).rejects.toThrow('a hanging probe: not within 0.3 s (last: the check did not answer in time)');
  });

  it('stops at once on bail and calls the check no more', async () => {
    let calls = 0;
    await expect(
      waitUntil(
        (bail) => {
          calls += 1;
          bail(new Error('the process exited'));
          return undefined;
        },
        { what: 'ready', timeoutMs: 5000, intervalMs: 10 },
      ),
    ).rejects.toThrow('the process exited');
    await new Promise((resolve) => setTimeout(resolve, 100)); // time for any attempt wrongly scheduled after the bail
    expect(calls).toBe(1);
  });
});
