import { TraceFlags, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * For spans that start a new trace with links, such as a consumer's process span in link mode or a
 * batch span: sampled whenever any linked context was sampled, so head sampling does not drop one
 * half of a transaction that was kept upstream. Without a sampled link, the delegate decides.
 */
export class LinkedContextSampler implements Sampler {
  constructor(private readonly delegate: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    if (links.some((link) => (link.context.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED)) {
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    }
    return this.delegate.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `LinkedContextSampler{${this.delegate.toString()}}`;
  }
}
