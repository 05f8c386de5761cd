import { createTraceState, diag, ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler } from '@opentelemetry/sdk-trace';
import { samplerFromEnv } from '../src/internal/sampler-from-env';
import { formatThreshold, readOtTraceState, thresholdFor, withOtTraceState } from '../src/internal/sampling/ot-trace-state';
import { ProbabilitySampler } from '../src/sampling/probability-sampler';

const traceIdEndingIn = (low56: string) => `0af7651916cd43dd84${low56}`;
const withParent = (traceState?: string, traceFlags = TraceFlags.SAMPLED): Context =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceIdEndingIn('00000000000000'),
    spanId: 'b7ad6b7169203331',
    traceFlags,
    isRemote: true,
    traceState: traceState === undefined ? undefined : createTraceState(traceState),
  });
const sample = (sampler: Sampler, traceId: string, context: Context = ROOT_CONTEXT) =>
  sampler.shouldSample(context, traceId, 'span', SpanKind.INTERNAL, {}, []);

describe('thresholds (specification/trace/tracestate-probability-sampling.md, precision 4)', () => {
  it.each([
    [1, '0'],
    [0.5, '8'],
    [1 / 3, 'aaab'],
    [0.25, 'c'],
    [0.2, 'cccd'],
    [0.1, 'e666'],
    [1 / 16, 'f'],
    [0.01, 'fd70a'],
    [0.001, 'ffbe77'],
    [0.0001, 'fff9724'],
    [0.00001, 'ffff583a'],
    [0.000001, 'ffffef39'],
  ])('probability %d → th:%s', (probability, th) => {
    expect(formatThreshold(thresholdFor(probability)!)).toBe(th);
  });

  it('probability 0 is no probability sampler: no threshold', () => {
    expect(thresholdFor(0)).toBeUndefined();
  });
});

describe('ot tracestate entry', () => {
  it('reads th and rv, ignores malformed values and keeps other sub-keys', () => {
    expect(readOtTraceState(createTraceState('ot=th:c;rv:6e6d1a75832a2f;xy:1,other=v'))).toEqual({
      threshold: 0xc0000000000000n,
      randomness: 0x6e6d1a75832a2fn,
      others: ['xy:1'],
    });
    expect(readOtTraceState(createTraceState('ot=th:XYZ;rv:123'))).toEqual({ others: [] });
  });

  it('writes into the ot entry without touching other vendors, and removes it when empty', () => {
    const written = withOtTraceState(createTraceState('vendor=1,ot=th:c;xy:1'), {
      threshold: 0xe6660000000000n,
      randomness: 0x10n,
      others: ['xy:1'],
    });
    expect(written?.serialize()).toBe('ot=th:e666;rv:00000000000010;xy:1,vendor=1');
    expect(withOtTraceState(createTraceState('vendor=1,ot=th:c'), { others: [] })?.serialize()).toBe('vendor=1');
    expect(withOtTraceState(undefined, { others: [] })).toBeUndefined();
  });
});

describe('ProbabilitySampler', () => {
  const tenPercent = new ProbabilitySampler(0.1);

  it("keeps when the trace id's low 56 bits reach the threshold (R ≥ T) and writes th; drops below it and writes none", () => {
    const kept = sample(tenPercent, traceIdEndingIn('e6660000000000'));
    expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(kept.traceState?.serialize()).toBe('ot=th:e666');
    const dropped = sample(tenPercent, traceIdEndingIn('e665ffffffffff'));
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(dropped.traceState).toBeUndefined();
  });

  it("decides on the parent's explicit rv rather than the trace id, keeps rv and replaces the parent's th", () => {
    const kept = sample(tenPercent, traceIdEndingIn('00000000000000'), withParent('ot=rv:f0000000000000;th:8,vendor=1'));
    expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(kept.traceState?.serialize()).toBe('ot=th:e666;rv:f0000000000000,vendor=1');
    const dropped = sample(tenPercent, traceIdEndingIn('ffffffffffffff'), withParent('ot=rv:10000000000000;th:0'));
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(dropped.traceState?.serialize()).toBe('ot=rv:10000000000000');
  });

  it("ignores the parent's sampled flag, as the specification asks", () => {
    expect(sample(tenPercent, traceIdEndingIn('00000000000000'), withParent(undefined, TraceFlags.SAMPLED)).decision).toBe(
      SamplingDecision.NOT_RECORD,
    );
    expect(sample(tenPercent, traceIdEndingIn('ffffffffffffff'), withParent(undefined, TraceFlags.NONE)).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('warns once when it presumes trace-id randomness for a child whose trace is not flagged random', () => {
    const warn = jest.spyOn(diag, 'warn').mockImplementation(() => undefined);
    try {
      const sampler = new ProbabilitySampler(0.5);
      sample(sampler, traceIdEndingIn('ffffffffffffff'), withParent(undefined, TraceFlags.SAMPLED | 0x2));
      expect(warn).not.toHaveBeenCalled();
      sample(sampler, traceIdEndingIn('ffffffffffffff'), withParent());
      sample(sampler, traceIdEndingIn('ffffffffffffff'), withParent());
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain('presuming TraceIDs are random');
    } finally {
      warn.mockRestore();
    }
  });

  it('samples nothing at 0 and everything at 1 (th:0); rejects a probability outside [0, 1]', () => {
    expect(sample(new ProbabilitySampler(0), traceIdEndingIn('ffffffffffffff')).decision).toBe(SamplingDecision.NOT_RECORD);
    const all = sample(new ProbabilitySampler(1), traceIdEndingIn('00000000000000'));
    expect(all.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(all.traceState?.serialize()).toBe('ot=th:0');
    expect(() => new ProbabilitySampler(1.5)).toThrow(RangeError);
  });

  it('describes itself', () => {
    expect(tenPercent.toString()).toBe('ProbabilitySampler{0.1}');
  });
});

describe('OTEL_TRACES_SAMPLER=tracehop_probability / parentbased_tracehop_probability', () => {
  it('takes the probability from OTEL_TRACES_SAMPLER_ARG (default 1, invalid → 1 with a warning)', () => {
    const low = traceIdEndingIn('00000000000001');
    expect(sample(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' }), low).decision).toBe(
      SamplingDecision.NOT_RECORD,
    );
    expect(sample(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_probability' }), low).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(
      sample(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '2' }), low).decision,
    ).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('parentbased_ follows the parent; the plain name decides every span on the same randomness', () => {
    const parentBased = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    expect(sample(parentBased, traceIdEndingIn('00000000000000'), withParent()).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    const plain = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' });
    expect(sample(plain, traceIdEndingIn('00000000000000'), withParent('ot=rv:ffffffffffffff')).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });
});
