import { diag, isSpanContextValid, trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';
import { keeps, randomnessOf, readOtTraceState, thresholdFor, withOtTraceState } from '../internal/sampling/ot-trace-state';

/** W3C Trace Context Level 2 "random" trace flag: the trace id's low 56 bits are random. */
const RANDOM_TRACE_FLAG = 0x2;

/**
 * The specification's ProbabilitySampler (specification/trace/sdk.md), which replaces
 * TraceIdRatioBased: keeps a span when its trace's randomness R (the `ot` tracestate `rv`, else the
 * trace id's low 56 bits) is at least the rejection threshold T derived from the probability, and
 * writes `th:T` into the `ot` tracestate of what it keeps (and erases `th` from what it drops), so
 * every stage that reads the same R decides the same way. Like TraceIdRatioBased it ignores the
 * parent's sampled flag: put it under ParentBased to follow the parent.
 */
export class ProbabilitySampler implements Sampler {
  /** The rejection threshold T; undefined for probability 0 (never samples, writes no threshold). */
  readonly threshold: bigint | undefined;
  private warnedPresumedRandomness = false;

  constructor(private readonly probability: number) {
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`probability must be in [0, 1], got ${probability}`);
    this.threshold = thresholdFor(probability);
  }

  shouldSample(context: Context, traceId: string, _name: string, _kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    const parentState = parent && isSpanContextValid(parent) ? parent.traceState : undefined;
    const state = readOtTraceState(parentState);
    if (parent && isSpanContextValid(parent) && state.randomness === undefined) this.warnIfRandomnessPresumed(parent.traceFlags);
    const sampled = keeps(this.threshold, randomnessOf(traceId, state));
    return {
      decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
      traceState: withOtTraceState(parentState, { ...state, threshold: sampled ? this.threshold : undefined }),
    };
  }

  toString(): string {
    return `ProbabilitySampler{${this.probability}}`;
  }

  /** The specification's compatibility warning, said once: a child decision on a trace id not flagged random. */
  private warnIfRandomnessPresumed(traceFlags: number): void {
    if (this.warnedPresumedRandomness || (traceFlags & RANDOM_TRACE_FLAG) === RANDOM_TRACE_FLAG) return;
    this.warnedPresumedRandomness = true;
    diag.warn(
      'The ProbabilitySampler sampler is presuming TraceIDs are random and expects the Trace random flag to be set in confirmation. ' +
        'Please upgrade your caller(s) to use W3C Trace Context Level 2.',
    );
  }
}
