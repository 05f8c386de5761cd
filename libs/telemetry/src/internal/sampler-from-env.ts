import { diag } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { LinkedContextSampler } from '../sampling/linked-context-sampler';
import { RateLimitingSampler } from '../sampling/rate-limiting-sampler';

/** OTEL_TRACES_SAMPLER values: the specification's, plus a rate limit (argument: traces per second). */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'tracehop_ratelimit',
  'parentbased_tracehop_ratelimit',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

const DEFAULT: SamplerName = 'parentbased_always_on';

function numberArg(raw: string | undefined, fallback: number, valid: (n: number) => boolean, name: string): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (Number.isFinite(value) && valid(value)) return value;
  diag.warn(`OTEL_TRACES_SAMPLER_ARG=${raw} is not valid for ${name}; using ${fallback}`);
  return fallback;
}

/**
 * The sampler OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG ask for. Every root decision is wrapped
 * in LinkedContextSampler: a new trace linked to a sampled producer is kept (link-mode hops do not
 * fragment a transaction). Unknown values warn and fall back to parentbased_always_on, as the SDK does:
 * a telemetry setting never stops a service from starting.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const requested = (env.OTEL_TRACES_SAMPLER ?? DEFAULT).trim().toLowerCase();
  const name: SamplerName = (SAMPLER_NAMES as readonly string[]).includes(requested) ? (requested as SamplerName) : DEFAULT;
  if (name !== requested) diag.warn(`OTEL_TRACES_SAMPLER=${requested} is not one of ${SAMPLER_NAMES.join(', ')}; using ${DEFAULT}`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = () => new TraceIdRatioBasedSampler(numberArg(arg, 1, (n) => n >= 0 && n <= 1, name));
  const rate = () => new RateLimitingSampler(numberArg(arg, 100, (n) => n >= 0, name));
  const linked = (root: Sampler) => new LinkedContextSampler(root);
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return linked(ratio());
    case 'tracehop_ratelimit':
      return linked(rate());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: linked(new AlwaysOffSampler()) });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: linked(ratio()) });
    case 'parentbased_tracehop_ratelimit':
      return new ParentBasedSampler({ root: linked(rate()) });
  }
}
