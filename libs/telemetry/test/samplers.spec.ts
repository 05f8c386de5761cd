import { ROOT_CONTEXT, SpanKind, trace, TraceFlags, type Link } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  InMemorySpanExporter,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { SAMPLER_NAMES, samplerFromEnv } from '../src/internal/sampler-from-env';
import { LinkedContextSampler } from '../src/sampling/linked-context-sampler';
import { RateLimitingSampler } from '../src/sampling/rate-limiting-sampler';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const link = (sampled: boolean): Link => ({
  context: { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true },
});
const parentContext = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, {
    traceId: TRACE_ID,
    spanId: 'b7ad6b7169203331',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  });
const decide = (sampler: Sampler, options: { parent?: boolean; links?: readonly Link[]; traceId?: string } = {}) =>
  sampler.shouldSample(
    options.parent === undefined ? ROOT_CONTEXT : parentContext(options.parent),
    options.traceId ?? 'ffffffffffffffffffffffffffffffff',
    'process orders',
    SpanKind.CONSUMER,
    {},
    [...(options.links ?? [])],
  ).decision;

describe('RateLimitingSampler', () => {
  it('samples at most N traces per second, refilling as time passes', () => {
    let now = 0;
    const sampler = new RateLimitingSampler(2, () => now);
    const burst = [decide(sampler), decide(sampler), decide(sampler)];
    expect(burst).toEqual([SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.NOT_RECORD]);
    now += 500; // half a second: one more token
    expect([decide(sampler), decide(sampler)]).toEqual([SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.NOT_RECORD]);
    now += 10_000; // a long pause refills only up to one second's worth
    expect([decide(sampler), decide(sampler), decide(sampler)].filter((d) => d === SamplingDecision.RECORD_AND_SAMPLED)).toHaveLength(2);
  });

  it('samples below one trace per second: at 0.5/s one trace every two seconds', () => {
    let now = 0;
    const sampler = new RateLimitingSampler(0.5, () => now);
    expect([decide(sampler), decide(sampler)]).toEqual([SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.NOT_RECORD]);
    now += 1_000;
    expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD);
    now += 1_000;
    expect([decide(sampler), decide(sampler)]).toEqual([SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.NOT_RECORD]);
  });

  it('samples nothing at 0 per second and rejects negative rates', () => {
    expect(decide(new RateLimitingSampler(0))).toBe(SamplingDecision.NOT_RECORD);
    expect(() => new RateLimitingSampler(-1)).toThrow(RangeError);
  });
});

describe('LinkedContextSampler', () => {
  const sampler = new LinkedContextSampler(new AlwaysOffSampler());

  it('keeps a new trace linked to any sampled context', () => {
    expect(decide(sampler, { links: [link(false), link(true)] })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('lets the delegate decide without a sampled link', () => {
    expect(decide(sampler, { links: [link(false)] })).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(sampler)).toBe(SamplingDecision.NOT_RECORD);
  });

  it('in a tracer provider: a link-mode process span of a sampled producer is exported', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('test');
    tracer.startSpan('process orders', { root: true, links: [link(true)] }).end();
    tracer.startSpan('unlinked root', { root: true }).end();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['process orders']);
  });
});

describe('samplerFromEnv', () => {
  const LOW_TRACE_ID = '00000000000000000000000000000001';

  it.each([
    ['always_on', {}, SamplingDecision.RECORD_AND_SAMPLED],
    ['always_off', { links: [link(true)] }, SamplingDecision.NOT_RECORD],
    ['parentbased_always_on', { parent: false }, SamplingDecision.NOT_RECORD],
    ['parentbased_always_on', {}, SamplingDecision.RECORD_AND_SAMPLED],
    ['parentbased_always_off', { parent: true }, SamplingDecision.RECORD_AND_SAMPLED],
    ['parentbased_always_off', {}, SamplingDecision.NOT_RECORD],
    ['parentbased_always_off', { links: [link(true)] }, SamplingDecision.RECORD_AND_SAMPLED],
    ['tracehop_ratelimit', {}, SamplingDecision.RECORD_AND_SAMPLED],
    ['tracehop_ratelimit', { parent: false }, SamplingDecision.NOT_RECORD],
    ['parentbased_tracehop_ratelimit', { parent: false }, SamplingDecision.NOT_RECORD],
  ] as const)('%s %j → %s', (name, options, expected) => {
    expect(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: name }), options)).toBe(expected);
  });

  it('traceidratio uses OTEL_TRACES_SAMPLER_ARG as the ratio', () => {
    expect(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }), { traceId: LOW_TRACE_ID })).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
    expect(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' }), { traceId: LOW_TRACE_ID })).toBe(
      SamplingDecision.NOT_RECORD,
    );
  });

  it('tracehop_ratelimit uses OTEL_TRACES_SAMPLER_ARG as traces per second', () => {
    const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_ratelimit', OTEL_TRACES_SAMPLER_ARG: '1' });
    expect([decide(sampler), decide(sampler)]).toEqual([SamplingDecision.RECORD_AND_SAMPLED, SamplingDecision.NOT_RECORD]);
  });

  it.each(['tracehop_ratelimit', 'parentbased_tracehop_ratelimit'])(
    '%s decides per trace: the children of a kept root are kept without spending the budget',
    (name) => {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({
        sampler: samplerFromEnv({ OTEL_TRACES_SAMPLER: name, OTEL_TRACES_SAMPLER_ARG: '1' }),
        spanProcessors: [new SimpleSpanProcessor({ exporter })],
      });
      const tracer = provider.getTracer('test');
      const root = tracer.startSpan('handle order', { root: true });
      const inRoot = trace.setSpan(ROOT_CONTEXT, root);
      for (const step of ['validate', 'store', 'publish']) tracer.startSpan(step, {}, inRoot).end();
      root.end();
      tracer.startSpan('second root within the second', { root: true }).end();
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['validate', 'store', 'publish', 'handle order']);
    },
  );

  it('tracehop_ratelimit: a linked trace follows its producer without spending the budget', () => {
    const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_ratelimit', OTEL_TRACES_SAMPLER_ARG: '1' });
    expect([decide(sampler, { links: [link(true)] }), decide(sampler, { links: [link(false)] }), decide(sampler)]).toEqual([
      SamplingDecision.RECORD_AND_SAMPLED,
      SamplingDecision.NOT_RECORD,
      SamplingDecision.RECORD_AND_SAMPLED,
    ]);
  });

  it('falls back to parentbased_always_on for an unknown sampler or a bad argument, never throwing', () => {
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'bogus' }).toString()).toBe(samplerFromEnv({}).toString());
    expect(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' }))).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });

  it('knows every documented name', () => {
    for (const name of SAMPLER_NAMES) expect(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: name })).not.toThrow();
  });
});
