import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest } from './manifest';
import { repoRoot } from './paths';
import { baselineThreshold } from './tail-sampling';

export const composeEnvPath = join(repoRoot, 'infra/compose/.env');
const composeFile = join(repoRoot, 'infra/compose/docker-compose.yaml');

/** Every value compose may read, all from the manifest: the native pins and ports, then compose's own. */
function composeValues(manifest: Manifest): Record<string, string> {
  const c = manifest.components;
  const ports = { ...manifest.ports, ...manifest.compose.ports };
  return {
    COLLECTOR_VERSION: c.collector.version,
    // Image tags: the release without its "v" (jaegertracing/jaeger:2.13.0), the module tags as they are.
    JAEGER_IMAGE_VERSION: c.jaeger.release.replace(/^v/, ''),
    VICTORIALOGS_VERSION: c.victorialogs.version,
    POSTGRES_VERSION: c.postgres.version,
    ...manifest.compose.images,
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    ...manifest.compose.settings,
    TAIL_SAMPLING_BASELINE_THRESHOLD: baselineThreshold(manifest.compose.settings.TAIL_SAMPLING_BASELINE_PERCENT),
  };
}

/**
 * infra/compose/.env: exactly the variables docker-compose.yaml uses, sorted, so ports and versions
 * have one source (infra/native/manifest.json) for both topologies.
 */
export function composeEnv(manifest: Manifest): string {
  const used = [...new Set([...readFileSync(composeFile, 'utf8').matchAll(/\$\{([A-Z_]+)\}/g)].map((match) => match[1]))].sort();
  const values = composeValues(manifest);
  const missing = used.filter((name) => values[name] === undefined);
  if (missing.length) throw new Error(`docker-compose.yaml uses ${missing.join(', ')}, which infra/native/manifest.json does not define`);
  return [
    '# Generated from infra/native/manifest.json by `npm run stack -- compose-env`: change the manifest, not this file.',
    '# Every port is published on 127.0.0.1 only.',
    ...used.map((name) => `${name}=${values[name]}`),
    '',
  ].join('\n');
}

export function writeComposeEnv(manifest: Manifest): void {
  writeFileSync(composeEnvPath, composeEnv(manifest));
}
