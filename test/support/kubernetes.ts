import { join } from 'node:path';
import { repoRoot } from '../../infra/stack/src/paths';

/** The chart and the production-like values file the Kubernetes specs check. */
export const helmChart = join(repoRoot, 'infra/helm/tracehop');
export const productionValues = join(repoRoot, 'infra/helm/production-values.yaml');
export const guardrails = join(repoRoot, 'infra/helm/guardrails');
