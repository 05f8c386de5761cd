import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { RetryingExporter, type Exporter } from '../src/internal/export/retrying-exporter';
import { RateLimitedWarning } from '../src/logs/rate-limited-warning';

/** An exporter that answers with the scripted results in turn, counting calls. */
function scripted(results: ExportResult[]): Exporter<string[]> & { calls: number } {
  const fake = {
    calls: 0,
    export(_items: string[], done: (r: ExportResult) => void) {
      const result = results[Math.min(fake.calls, results.length - 1)];
      fake.calls += 1;
      setImmediate(() => done(result));
    },
    shutdown: () => Promise.resolve(),
  };
  return fake;
}

const ok: ExportResult = { code: ExportResultCode.SUCCESS };
const unavailable: ExportResult = {
  code: ExportResultCode.FAILED,
  error: Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED'), { code: 14 }),
};
const invalid: ExportResult = { code: ExportResultCode.FAILED, error: Object.assign(new Error('3 INVALID_ARGUMENT'), { code: 3 }) };
const fast = { maxRetryMillis: 500, initialDelayMillis: 5, maxDelayMillis: 20 };
const exportWith = (exporter: RetryingExporter<string[]>) => new Promise<ExportResult>((done) => exporter.export(['span'], done));

describe('RetryingExporter', () => {
  it('retries a retryable failure until the collector answers', async () => {
    const inner = scripted([unavailable, unavailable, ok]);
    await expect(exportWith(new RetryingExporter(inner, fast))).resolves.toEqual(ok);
    expect(inner.calls).toBe(3);
  });

  it('does not retry what retrying cannot fix', async () => {
    const inner = scripted([invalid, ok]);
    const result = await exportWith(new RetryingExporter(inner, fast));
    expect(result.code).toBe(ExportResultCode.FAILED);
    await new Promise((r) => setTimeout(r, 100)); // no attempt keeps running after the answer
    expect(inner.calls).toBe(1);
  });

  it('gives up after maxRetryMillis, so memory and the batch processor are never held forever', async () => {
    const inner = scripted([unavailable]);
    const started = Date.now();
    const result = await exportWith(new RetryingExporter(inner, { ...fast, maxRetryMillis: 100 }));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(inner.calls).toBeGreaterThan(1);
  });

  it('stops retrying once shut down', async () => {
    const inner = scripted([unavailable]);
    const exporter = new RetryingExporter(inner, { ...fast, maxRetryMillis: 10_000 });
    const pending = exportWith(exporter);
    await exporter.shutdown();
    await expect(pending).resolves.toMatchObject({ code: ExportResultCode.FAILED });
    const callsAtAnswer = inner.calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(inner.calls).toBe(callsAtAnswer);
  });
});

describe('RateLimitedWarning', () => {
  it('says a repeated warning once per interval, counting what it swallowed', () => {
    let now = 0;
    const said: string[] = [];
    const warning = new RateLimitedWarning(
      1000,
      (m) => said.push(m),
      () => now,
    );
    warning.say('collector down');
    warning.say('collector down');
    warning.say('collector down');
    now = 1500;
    warning.say('collector down');
    expect(said).toEqual(['collector down', 'collector down (2 more like it since the last warning)']);
  });
});
