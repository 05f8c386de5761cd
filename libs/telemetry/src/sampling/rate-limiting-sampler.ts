import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Samples at most `tracesPerSecond` new traces per second (token bucket, bursts up to one second's
 * worth, and at least one trace, so a rate below 1/s samples one trace every 1/rate seconds). Meant
 * as the root sampler under ParentBased, so children follow their parent's decision.
 */
export class RateLimitingSampler implements Sampler {
  private readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(
    private readonly tracesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(tracesPerSecond >= 0)) throw new RangeError(`tracesPerSecond must be ≥ 0, got ${tracesPerSecond}`);
    this.capacity = tracesPerSecond === 0 ? 0 : Math.max(1, tracesPerSecond);
    this.tokens = this.capacity;
    this.last = now();
  }

  shouldSample(
    _context: Context,
    _traceId: string,
    _name: string,
    _kind: SpanKind,
    _attributes: Attributes,
    _links: Link[],
  ): SamplingResult {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.tracesPerSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
    return { decision: SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `RateLimitingSampler{${this.tracesPerSecond}/s}`;
  }
}
