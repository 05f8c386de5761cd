import {
  isSpanContextValid,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type SpanContext,
  type SpanKind,
} from '@opentelemetry/api';
import { AlwaysOnSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { keeps, randomnessOf, readOtTraceState, withOtTraceState } from '../internal/sampling/ot-trace-state';
import { ProbabilitySampler } from './probability-sampler';

/** A delegate's threshold in consistent probability terms: always on keeps every randomness (0). */
const thresholdOf = (sampler: Sampler): bigint | undefined =>
  sampler instanceof ProbabilitySampler ? sampler.threshold : sampler instanceof AlwaysOnSampler ? 0n : undefined;

const isSampled = (spanContext: SpanContext) => (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;

/**
 * For spans that start a new trace with links, such as a consumer's process span in link mode or a
 * poll span: the new trace continues the transaction it links to instead of being decided afresh.
 *
 * - It inherits the first link's randomness (its `ot` tracestate `rv`, else the low 56 bits of its
 *   trace id) and writes it as `rv` into its own tracestate, sampled or not, so its children and
 *   every further hop decide on the same randomness.
 * - It is kept when any linked context was sampled. With a ProbabilitySampler delegate it is also
 *   kept when the delegate's threshold admits the inherited randomness: at equal probabilities the
 *   whole transaction is kept or dropped together; always on admits every randomness (threshold 0),
 *   and still writes `rv`, so the gateway's tail sampling can keep or drop a transaction's hop
 *   traces together. Other delegates (ratio, rate limit, always off) are not asked for linked
 *   traces: a linked trace follows its producers, as a child follows its parent.
 * - Its `th` is the threshold it was kept with (the lower of the delegate's and the first link's),
 *   and none when that is unknown (a link without `th`, or another link kept it).
 *
 * Spans with a parent, and new traces without valid links, are the delegate's to decide.
 */
export class LinkedContextSampler implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    const [first, ...others] = links.map((link) => link.context).filter(isSpanContextValid);
    if ((parent && isSpanContextValid(parent)) || !first)
      return this.delegate.shouldSample(context, traceId, name, kind, attributes, links);

    const linked = readOtTraceState(first.traceState);
    const randomness = randomnessOf(first.traceId, linked);
    const ownThreshold = thresholdOf(this.delegate);
    const keptByOwn = keeps(ownThreshold, randomness);
    const keptByFirst = isSampled(first);
    const keptByOthers = others.some(isSampled);
    const sampled = keptByOwn || keptByFirst || keptByOthers;

    // The first link's threshold counts only when it is consistent with the randomness (R ≥ T).
    const firstThreshold = keptByFirst && keeps(linked.threshold, randomness) ? linked.threshold : undefined;
    const known = !keptByOthers && (!keptByFirst || firstThreshold !== undefined);
    const thresholds = [keptByOwn ? ownThreshold : undefined, firstThreshold].filter((t): t is bigint => t !== undefined);
    const threshold = sampled && known && thresholds.length > 0 ? thresholds.reduce((a, b) => (a < b ? a : b)) : undefined;

    return {
      decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
      traceState: withOtTraceState(undefined, { randomness, threshold, others: [] }),
    };
  }

  toString(): string {
    return `LinkedContextSampler{${this.delegate.toString()}}`;
  }
}
