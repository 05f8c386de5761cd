import { diag, DiagLogLevel } from '@opentelemetry/api';
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
const fast = { budgetMillis: 500, initialDelayMillis: 5, maxDelayMillis: 20 };
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

  it('says every lost batch: out of time, and when the failure is not retryable', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message), error() {}, info() {}, debug() {}, verbose() {} };
    diag.setLogger(logger, DiagLogLevel.WARN);
    try {
      await exportWith(new RetryingExporter(scripted([unavailable]), { ...fast, budgetMillis: 100 }));
      await exportWith(new RetryingExporter(scripted([invalid]), fast));
    } finally {
      diag.disable();
    }
    expect(warnings[0]).toMatch(/^telemetry export failed, retrying: 14 UNAVAILABLE/);
    expect(warnings.slice(-2)).toEqual([
      expect.stringMatching(/^telemetry export dropped a batch: no time left to retry within 100 ms: 14 UNAVAILABLE/),
      'telemetry export dropped a batch: the failure is not retryable: 3 INVALID_ARGUMENT',
    ]);
  });

  it('gives up after budgetMillis, so memory and the batch processor are never held forever', async () => {
    const inner = scripted([unavailable]);
    const started = Date.now();
    const result = await exportWith(new RetryingExporter(inner, { ...fast, budgetMillis: 100 }));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(inner.calls).toBeGreaterThan(1);
  });

  it('stops retrying once shut down', async () => {
    const inner = scripted([unavailable]);
    const exporter = new RetryingExporter(inner, { ...fast, budgetMillis: 10_000 });
    const pending = exportWith(exporter);
    await exporter.shutdown();
    await expect(pending).resolves.toMatchObject({ code: ExportResultCode.FAILED });
    const callsAtAnswer = inner.calls;
    await new Promise((r) => setTimeout(r, 100));
    expect(inner.calls).toBe(callsAtAnswer);
  });
});

/** Encodes google.rpc.Status{code: 8, details: [Any(google.rpc.RetryInfo{retry_delay: {seconds, nanos}})]}, as a gRPC server sends it. */
function statusWithRetryInfo(seconds: number, nanos: number): Buffer {
  const varint = (n: number) => {
    const bytes: number[] = [];
    for (; n > 127; n = Math.floor(n / 128)) bytes.push((n % 128) | 128);
    return Buffer.from([...bytes, n]);
  };
  const field = (number: number, value: Buffer | number) =>
    typeof value === 'number'
      ? Buffer.concat([varint(number << 3), varint(value)])
      : Buffer.concat([varint((number << 3) | 2), varint(value.length), value]);
  const duration = Buffer.concat([field(1, seconds), field(2, nanos)]);
  const any = Buffer.concat([field(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')), field(2, field(1, duration))]);
  return Buffer.concat([field(1, 8), field(2, Buffer.from('slow down')), field(3, any)]);
}

const exhausted = (details?: Buffer): ExportResult => ({
  code: ExportResultCode.FAILED,
  error: Object.assign(new Error('8 RESOURCE_EXHAUSTED'), {
    code: 8,
    metadata: { get: (key: string) => (key === 'grpc-status-details-bin' && details ? [details] : []) },
  }),
});

/** An exporter whose every attempt takes attemptMillis and fails, recording how many run at once. */
function slowlyFailing(attemptMillis: number) {
  const fake = {
    calls: 0,
    inFlight: 0,
    export(_items: string[], done: (r: ExportResult) => void) {
      fake.calls += 1;
      fake.inFlight += 1;
      setTimeout(() => {
        fake.inFlight -= 1;
        done(unavailable);
      }, attemptMillis);
    },
    shutdown: () => Promise.resolve(),
  };
  return fake;
}

describe('RetryingExporter within its budget (OTLP: throttling and the batch processor’s timeout)', () => {
  it('answers within the budget even while an attempt is still running, and ignores that attempt’s late answer', async () => {
    const inner = slowlyFailing(150);
    const options = { budgetMillis: 400, initialDelayMillis: 5, maxDelayMillis: 20 };
    const answers: ExportResult[] = [];
    const started = Date.now();
    await new Promise<void>((done) =>
      new RetryingExporter(inner, options).export(['span'], (result) => {
        answers.push(result);
        done();
      }),
    );
    expect(Date.now() - started).toBeLessThanOrEqual(400 + 50);
    expect(answers[0]).toMatchObject({ code: ExportResultCode.FAILED, error: new Error('no answer within the retry budget of 400 ms') });
    expect(inner.calls).toBe(3); // at about 0, 155 and 310 ms: the third still running at 400
    await new Promise((r) => setTimeout(r, 200));
    expect(answers).toHaveLength(1);
  });

  it('uses the whole budget for fast failures: a collector back after most of it still gets the batch', async () => {
    // Refused (as a gRPC channel backing off answers at once) for 350 of the 400 ms, then accepted.
    const back = Date.now() + 350;
    const inner = {
      calls: 0,
      export(_items: string[], done: (r: ExportResult) => void) {
        inner.calls += 1;
        setImmediate(() => done(Date.now() < back ? unavailable : ok));
      },
      shutdown: () => Promise.resolve(),
    };
    const result = await exportWith(new RetryingExporter(inner, { budgetMillis: 400, initialDelayMillis: 5, maxDelayMillis: 20 }));
    expect(result).toEqual(ok);
  });

  it('does not retry RESOURCE_EXHAUSTED without RetryInfo', async () => {
    const inner = scripted([exhausted(), ok]);
    expect((await exportWith(new RetryingExporter(inner, fast))).code).toBe(ExportResultCode.FAILED);
    expect(inner.calls).toBe(1);
  });

  it('retries RESOURCE_EXHAUSTED after the delay the server’s RetryInfo asks for', async () => {
    const inner = scripted([exhausted(statusWithRetryInfo(0, 150_000_000)), ok]);
    const started = Date.now();
    await expect(exportWith(new RetryingExporter(inner, { ...fast, maxDelayMillis: 20 }))).resolves.toEqual(ok);
    expect(inner.calls).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('gives up at once when the delay RetryInfo asks for does not fit in the budget', async () => {
    const inner = scripted([exhausted(statusWithRetryInfo(60, 0)), ok]);
    const started = Date.now();
    expect((await exportWith(new RetryingExporter(inner, fast))).code).toBe(ExportResultCode.FAILED);
    expect(inner.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(100);
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
