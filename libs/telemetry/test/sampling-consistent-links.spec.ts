import {
  context,
  createTraceState,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  TraceFlags,
  type Context,
  type Link,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { placeProcessSpan } from '../src/internal/kafka/hop-mode';
import { samplerFromEnv } from '../src/internal/sampler-from-env';
import { readOtTraceState } from '../src/internal/sampling/ot-trace-state';
import { LinkedContextSampler } from '../src/sampling/linked-context-sampler';
import { ProbabilitySampler } from '../src/sampling/probability-sampler';

/**
 * Link-mode transactions through in-memory "services": a root span sends, then each hop's process
 * span starts a new trace linked to the previous send, through real W3C traceparent/tracestate
 * headers and tracehop's own link placement, and sends on (the last hop only processes).
 */
const propagator = new W3CTraceContextPropagator();

function service(sampler: Sampler) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return { tracer: provider.getTracer('test'), exporter };
}
type Service = ReturnType<typeof service>;

function headersOf(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  propagator.inject(ctx, headers, { set: (carrier, key, value) => (carrier[key] = value) });
  return headers;
}

/** Sends one message from `ctx`: the send span's headers, as a consumer receives them. */
function send(svc: Service, ctx: Context, topic: string): Record<string, string> {
  const span = svc.tracer.startSpan(`send ${topic}`, { kind: SpanKind.PRODUCER }, ctx);
  const headers = headersOf(trace.setSpan(ctx, span));
  span.end();
  return headers;
}

/** Processes a message in link mode; sends on to `next` when given. Returns the process span's context. */
function hop(
  svc: Service,
  headers: Record<string, string>,
  topic: string,
  next?: string,
): { process: SpanContext; sent?: Record<string, string> } {
  const extracted = propagator.extract(ROOT_CONTEXT, headers, {
    get: (carrier, key) => carrier[key],
    keys: (carrier) => Object.keys(carrier),
  });
  const placement = placeProcessSpan('link', extracted);
  const span = svc.tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, links: placement.links }, placement.parent);
  const sent = next ? send(svc, trace.setSpan(placement.parent, span), next) : undefined;
  span.end();
  return { process: span.spanContext(), sent };
}

interface Transaction {
  traceIds: string[];
  sampled: boolean[];
}

/** A root span and its send, then `hops` link-mode hops, each in its own service. */
function transaction(services: Service[], hops: number): Transaction {
  const [origin, ...consumers] = services;
  const root = origin.tracer.startSpan('place order', { root: true });
  let headers = send(origin, trace.setSpan(ROOT_CONTEXT, root), 'topic-0');
  root.end();
  const contexts = [root.spanContext()];
  for (let i = 1; i <= hops; i++) {
    const { process, sent } = hop(consumers[i - 1], headers, `topic-${i - 1}`, i < hops ? `topic-${i}` : undefined);
    contexts.push(process);
    headers = sent!;
  }
  return {
    traceIds: contexts.map((c) => c.traceId),
    sampled: contexts.map((c) => (c.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED),
  };
}

const exportedTraceIds = (services: Service[]) =>
  new Set(services.flatMap((s) => s.exporter.getFinishedSpans().map((span) => span.spanContext().traceId)));

describe.each([2, 3])('link mode at 10 %% over %i hops: the same probability keeps or drops the whole transaction', (hops) => {
  const COUNT = 2_000;

  it.each([
    [
      'parentbased_tracehop_probability',
      () => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
    ],
    ['tracehop_probability', () => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'tracehop_probability', OTEL_TRACES_SAMPLER_ARG: '0.1' })],
    [
      'ParentBased(LinkedContextSampler(ProbabilitySampler(0.1)))',
      () => new ParentBasedSampler({ root: new LinkedContextSampler(new ProbabilitySampler(0.1)) }),
    ],
    ['parentbased_traceidratio', () => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' })],
  ])('%s', (_name, sampler) => {
    const services = Array.from({ length: hops + 1 }, () => service(sampler()));
    const transactions = Array.from({ length: COUNT }, () => transaction(services, hops));

    const partial = transactions.filter((t) => new Set(t.sampled).size > 1);
    expect({ partial: partial.length, example: partial[0] }).toEqual({ partial: 0, example: undefined });
    const exported = exportedTraceIds(services);
    for (const t of transactions) for (const [i, id] of t.traceIds.entries()) expect(exported.has(id)).toBe(t.sampled[i]);
    // Binomial(2000, 0.1): mean 200, standard deviation 13.4; the bound is over 5 deviations wide.
    const kept = transactions.filter((t) => t.sampled[0]).length;
    expect(kept).toBeGreaterThan(130);
    expect(kept).toBeLessThan(270);
  });
});

describe('what a linked trace carries', () => {
  const probability = (p: number) =>
    service(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_tracehop_probability', OTEL_TRACES_SAMPLER_ARG: String(p) }));
  const ot = (svc: Service, name: string) =>
    readOtTraceState(
      svc.exporter
        .getFinishedSpans()
        .find((s) => s.name === name)
        ?.spanContext().traceState,
    );

  it("inherits the producer's trace-id randomness as rv, sampled or not, and hands it on to the next hop", () => {
    for (const keep of [true, false]) {
      const [origin, middle, last] = [
        probability(keep ? 1 : 0),
        probability(keep ? 1 : 0),
        service(new ParentBasedSampler({ root: new LinkedContextSampler(new ProbabilitySampler(0.5)) })),
      ];
      const root = origin.tracer.startSpan('place order', { root: true });
      const rootTraceId = root.spanContext().traceId;
      const first = hop(middle, send(origin, trace.setSpan(ROOT_CONTEXT, root), 'a'), 'a', 'b');
      const second = hop(last, first.sent!, 'b');
      const expected = BigInt(`0x${rootTraceId.slice(-14)}`);
      expect(readOtTraceState(first.process.traceState).randomness).toBe(expected);
      expect(readOtTraceState(second.process.traceState).randomness).toBe(expected);
      expect(first.sent!.tracestate).toContain(`rv:${rootTraceId.slice(-14)}`);
    }
  });

  it('writes the threshold it kept with: th:e666 at 10 %, none when dropped', () => {
    const [origin, middle] = [probability(0.1), probability(0.1)];
    const processed = Array.from({ length: 300 }, () => {
      const root = origin.tracer.startSpan('place order', { root: true });
      root.end();
      return hop(middle, send(origin, trace.setSpan(ROOT_CONTEXT, root), 'a'), 'a').process;
    });
    const thresholds = (sampled: boolean) =>
      new Set(
        processed
          .filter((p) => (p.traceFlags & TraceFlags.SAMPLED) === (sampled ? TraceFlags.SAMPLED : 0))
          .map((p) => readOtTraceState(p.traceState).threshold),
      );
    expect(thresholds(true)).toEqual(new Set([0xe666n << 40n]));
    expect(thresholds(false)).toEqual(new Set([undefined]));
  });

  it('kept by a producer sampled at 100 % (th:0): the lower threshold of the two, th:0', () => {
    const [origin, middle] = [probability(1), probability(0.1)];
    const root = origin.tracer.startSpan('place order', { root: true });
    const { process } = hop(middle, send(origin, trace.setSpan(ROOT_CONTEXT, root), 'a'), 'a', 'b');
    root.end();
    expect(ot(origin, 'place order').threshold).toBe(0n);
    expect(process.traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    expect(readOtTraceState(process.traceState).threshold).toBe(0n);
    expect(ot(middle, 'send b').threshold).toBe(0n);
  });

  it('uses an explicit rv from the link rather than the linked trace id', () => {
    const sampler = new LinkedContextSampler(new ProbabilitySampler(0.1));
    const producer = (rv: string): Link => ({
      context: {
        traceId: '0af7651916cd43dd8448eb211c80319c', // low 56 bits 48eb211c80319c: below e666…, dropped on its own
        spanId: 'b7ad6b7169203331',
        traceFlags: TraceFlags.NONE,
        isRemote: true,
        traceState: createTraceState(`ot=rv:${rv}`),
      },
    });
    const decide = (link: Link) =>
      sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'process a', SpanKind.CONSUMER, {}, [link]);
    const kept = decide(producer('f0000000000000'));
    expect(kept.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(kept.traceState?.get('ot')).toBe('th:e666;rv:f0000000000000');
    const dropped = decide(producer('10000000000000'));
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
    expect(dropped.traceState?.get('ot')).toBe('rv:10000000000000');
  });

  it('a poll span linking many producers: kept when any was sampled, randomness of the first, no threshold when another link kept it', () => {
    const sampler = new LinkedContextSampler(new ProbabilitySampler(0.1));
    const link = (traceId: string, sampled: boolean): Link => ({
      context: { traceId, spanId: 'b7ad6b7169203331', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true },
    });
    const result = sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'poll a', SpanKind.CLIENT, {}, [
      link('00000000000000000010000000000000', false),
      link('000000000000000000ffffffffffffff', true),
    ]);
    expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(result.traceState?.get('ot')).toBe('rv:10000000000000');
  });

  it('under the default sampler (parentbased_always_on): kept even when its link was not, with the link’s randomness as rv and th:0', () => {
    const sampler = samplerFromEnv({});
    const unsampledLink: Link = {
      context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE, isRemote: true },
    };
    const result = sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'process a', SpanKind.CONSUMER, {}, [
      unsampledLink,
    ]);
    expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    // The gateway's tail sampling reads this rv, so the hop traces of one transaction share a decision.
    expect(result.traceState?.get('ot')).toBe('th:0;rv:48eb211c80319c');
  });

  it('leaves spans with a parent to the delegate (child+link mode follows the parent under ParentBased)', () => {
    const sampler = new LinkedContextSampler(new ProbabilitySampler(0.1));
    const parent = trace.setSpanContext(context.active(), {
      traceId: '0000000000000000000fffffffffffff',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
    });
    const sampledLink: Link = {
      context: { traceId: '000000000000000000ffffffffffffff', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED },
    };
    const result = sampler.shouldSample(parent, '0000000000000000000fffffffffffff', 'process a', SpanKind.CONSUMER, {}, [sampledLink]);
    expect(result.decision).toBe(SamplingDecision.NOT_RECORD); // the trace's own randomness 0fffffffffffff < e666…
  });
});
