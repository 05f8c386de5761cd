import { retryTransient, TransientRetriesExhausted, type TransientRetryBounds } from '../src/consumer/transient-retry';
import { interruptibleSleep } from '../src/lifecycle/interruptible-sleep';

const transient = new Error('connection refused');
const deterministic = new TypeError('bad input');
const isTransient = (error: unknown) => error !== deterministic;

/** Work that fails with `failures` in turn, then answers 'done'; remembers when each attempt started. */
function flaky(failures: Error[]) {
  const startedAt: number[] = [];
  const work = async () => {
    startedAt.push(Date.now());
    const failure = failures[startedAt.length - 1];
    if (failure) throw failure;
    return 'done';
  };
  return { work, startedAt };
}

const bounds = (overrides: Partial<TransientRetryBounds> = {}): TransientRetryBounds => ({
  attempts: 10,
  withinMs: 10_000,
  minDelayMs: 1,
  maxDelayMs: 2,
  ...overrides,
});

describe('retryTransient', () => {
  it('retries transient failures until the work succeeds, calling beforeRetry before each pause', async () => {
    const { work, startedAt } = flaky([transient, transient]);
    const beforeRetry = jest.fn();
    await expect(retryTransient(work, { bounds: bounds(), signal: new AbortController().signal, isTransient, beforeRetry })).resolves.toBe(
      'done',
    );
    expect(startedAt).toHaveLength(3);
    expect(beforeRetry.mock.calls).toEqual([
      [transient, 1],
      [transient, 2],
    ]);
  });

  it('rethrows a failure that is not transient at once', async () => {
    const { work, startedAt } = flaky([deterministic]);
    await expect(
      retryTransient(work, { bounds: bounds(), signal: new AbortController().signal, isTransient, beforeRetry: jest.fn() }),
    ).rejects.toBe(deterministic);
    expect(startedAt).toHaveLength(1);
  });

  it('gives up after the attempts bound, with the last failure as the cause', async () => {
    const { work, startedAt } = flaky(Array(10).fill(transient));
    const failure = await retryTransient(work, {
      bounds: bounds({ attempts: 3 }),
      signal: new AbortController().signal,
      isTransient,
      beforeRetry: jest.fn(),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransientRetriesExhausted);
    expect(failure).toMatchObject({ attempts: 3, cause: transient });
    expect(startedAt).toHaveLength(3);
  });

  it('gives up when the next pause would end past the time bound, without sleeping it', async () => {
    const { work, startedAt } = flaky(Array(10).fill(transient));
    const started = Date.now();
    const failure = await retryTransient(work, {
      bounds: bounds({ withinMs: 250, minDelayMs: 100, maxDelayMs: 1_000 }),
      signal: new AbortController().signal,
      isTransient,
      beforeRetry: jest.fn(),
    }).catch((error: unknown) => error);
    // Pauses 100 ms, then 200 ms: 300 ms would pass the 250 ms bound, so it stops after the second attempt.
    expect(failure).toBeInstanceOf(TransientRetriesExhausted);
    expect(startedAt).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(250);
  });

  it('doubles the pause from the minimum up to the maximum', async () => {
    const { work, startedAt } = flaky(Array(5).fill(transient));
    await retryTransient(work, {
      bounds: bounds({ minDelayMs: 20, maxDelayMs: 60 }),
      signal: new AbortController().signal,
      isTransient,
      beforeRetry: jest.fn(),
    });
    const pauses = startedAt.slice(1).map((at, i) => at - startedAt[i]);
    // 20, 40, 60 (capped), 60: timers fire no sooner than asked, a little later under load.
    [20, 40, 60, 60].forEach((least, i) => expect(pauses[i]).toBeGreaterThanOrEqual(least - 2));
    expect(pauses[2]).toBeLessThan(120);
  });

  it('ends a pause at once when the signal aborts, rejecting with its reason and trying no more', async () => {
    const { work, startedAt } = flaky(Array(10).fill(transient));
    const stop = new AbortController();
    const reason = new Error('stopping');
    const retrying = retryTransient(work, {
      bounds: bounds({ minDelayMs: 60_000, maxDelayMs: 60_000, withinMs: 600_000 }),
      signal: stop.signal,
      isTransient,
      beforeRetry: jest.fn(),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const started = Date.now();
    stop.abort(reason);

    await expect(retrying).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(100);
    expect(startedAt).toHaveLength(1);
  });

  it('does not start at all under an aborted signal', async () => {
    const stop = new AbortController();
    stop.abort(new Error('stopped before'));
    const work = jest.fn(async () => 'done');
    await expect(retryTransient(work, { bounds: bounds(), signal: stop.signal, isTransient, beforeRetry: jest.fn() })).rejects.toThrow(
      'stopped before',
    );
    expect(work).not.toHaveBeenCalled();
  });
});

describe('interruptibleSleep', () => {
  it('waits the time when nothing aborts', async () => {
    const started = Date.now();
    await interruptibleSleep(30, new AbortController().signal);
    expect(Date.now() - started).toBeGreaterThanOrEqual(28);
  });
});
