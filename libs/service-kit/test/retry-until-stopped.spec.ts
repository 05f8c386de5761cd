import { retryUntilStopped } from '../src/lifecycle/retry-until-stopped';

describe('retryUntilStopped', () => {
  it('retries a failing attempt until it succeeds, reporting each failure', async () => {
    const failures: string[] = [];
    let calls = 0;
    await retryUntilStopped(
      new AbortController().signal,
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`broker down ${calls}`);
      },
      (error) => failures.push(error.message),
    );
    expect(calls).toBe(3);
    expect(failures).toEqual(['broker down 1', 'broker down 2']);
  });

  it('ends a pause at once when the service stops, without another attempt', async () => {
    const stopping = new AbortController();
    let calls = 0;
    const running = retryUntilStopped(
      stopping.signal,
      async () => {
        calls += 1;
        throw new Error('broker down');
      },
      () => undefined,
    );
    // Past the first attempt and two pauses (0.5 s, 1 s), into the third (2 s).
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const stoppedAt = Date.now();
    stopping.abort();
    await running;
    expect(Date.now() - stoppedAt).toBeLessThan(1_000); // the pause had about 1.8 s left
    expect(calls).toBe(3);
  });

  it('makes no attempt once stopped', async () => {
    const stopping = new AbortController();
    stopping.abort();
    const attempt = jest.fn(async () => undefined);
    await retryUntilStopped(stopping.signal, attempt, () => undefined);
    expect(attempt).not.toHaveBeenCalled();
  });
});
