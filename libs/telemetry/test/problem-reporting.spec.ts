import { diag } from '@opentelemetry/api';
import { reportTelemetryProblemsQuietly } from '../src/internal/export/problem-reporting';

describe("the SDK's own problems on stderr", () => {
  let said: string[];
  let warn: jest.SpyInstance;

  beforeEach(() => {
    said = [];
    warn = jest.spyOn(console, 'warn').mockImplementation((line: string) => void said.push(line));
    reportTelemetryProblemsQuietly({});
  });
  afterEach(() => {
    warn.mockRestore();
    diag.disable();
  });

  it('says each kind of problem at most once per 30 s, so a flood of retries never hides a dropped batch', () => {
    for (let i = 0; i < 20; i++) diag.warn(`telemetry export failed, retrying: 14 UNAVAILABLE: attempt ${i}`);
    diag.warn('telemetry export dropped a batch: no time left to retry within 29000 ms: 14 UNAVAILABLE');
    diag.warn('telemetry export dropped a batch: the failure is not retryable: 3 INVALID_ARGUMENT');
    diag.error('PeriodicExportingMetricReader: metrics export failed');
    expect(said).toEqual([
      'tracehop telemetry: telemetry export failed, retrying: 14 UNAVAILABLE: attempt 0',
      'tracehop telemetry: telemetry export dropped a batch: no time left to retry within 29000 ms: 14 UNAVAILABLE',
      'tracehop telemetry: PeriodicExportingMetricReader: metrics export failed',
    ]);
  });
});
