import { diag } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler } from '@opentelemetry/sdk-trace';
import { LinkedContextSampler } from '../sampling/linked-context-sampler';
import { ProbabilitySampler } from '../sampling/probability-sampler';
import { RateLimitingSampler } from '../sampling/rate-limiting-sampler';

/**
 * OTEL_TRACES_SAMPLER values: the specification's, plus tracehop's (the specification names no
 * value for ProbabilitySampler yet): the consistent probability sampler and a rate limit.
 */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'tracehop_probability',
  'parentbased_tracehop_probability',
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
 * in LinkedContextSampler: a new trace started from links (a link-mode process span) continues the
 * transaction it links to instead of being decided afresh. A rate limit decides per trace, so
 * `tracehop_ratelimit` follows the parent as `parentbased_tracehop_ratelimit` does. Unknown values
 * warn and fall back to parentbased_always_on, as the SDK does: a telemetry setting never stops a
 * service from starting.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler {
  const requested = (env.OTEL_TRACES_SAMPLER ?? DEFAULT).trim().toLowerCase();
  const name: SamplerName = (SAMPLER_NAMES as readonly string[]).includes(requested) ? (requested as SamplerName) : DEFAULT;
  if (name !== requested) diag.warn(`OTEL_TRACES_SAMPLER=${requested} is not one of ${SAMPLER_NAMES.join(', ')}; using ${DEFAULT}`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const probability = () => numberArg(arg, 1, (n) => n >= 0 && n <= 1, name);
  const linked = (root: Sampler) => new LinkedContextSampler(root);
  const parentBased = (root: Sampler) => new ParentBasedSampler({ root: linked(root) });
  switch (name) {
    case 'always_on':
      return linked(new AlwaysOnSampler());
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return linked(new TraceIdRatioBasedSampler(probability()));
    case 'tracehop_probability':
      return linked(new ProbabilitySampler(probability()));
    case 'parentbased_always_on':
      return parentBased(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return parentBased(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return parentBased(new TraceIdRatioBasedSampler(probability()));
    case 'parentbased_tracehop_probability':
      return parentBased(new ProbabilitySampler(probability()));
    case 'tracehop_ratelimit':
    case 'parentbased_tracehop_ratelimit':
      return parentBased(new RateLimitingSampler(numberArg(arg, 100, (n) => n >= 0, name)));
  }
}
