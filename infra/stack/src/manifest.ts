import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { repoRoot } from './paths';

const componentPin = z.object({ version: z.string().min(1), source: z.string().min(1) });

const manifestSchema = z.object({
  toolchain: z.object({ go: z.string().regex(/^go\d+\.\d+(\.\d+)?$/) }),
  components: z.object({
    kafka: componentPin,
    postgres: componentPin,
    search: componentPin.extend({ engine: z.enum(['elasticsearch', 'opensearch']) }),
    collector: componentPin,
    jaeger: componentPin.extend({ release: z.string().regex(/^v2\.\d+\.\d+$/) }),
    victorialogs: componentPin,
    prometheus: componentPin,
  }),
  ports: z.record(z.string().regex(/^[A-Z_]+_PORT$/), z.number().int().min(1).max(65535)),
  databases: z.array(z.string().regex(/^[a-z_]+$/)).min(1),
  compose: z.object({
    images: z.record(z.string().regex(/^[A-Z_]+$/), z.string().min(1)),
    ports: z.record(z.string().regex(/^[A-Z_]+_PORT$/), z.number().int().min(1).max(65535)),
    settings: z.record(z.string().regex(/^[A-Z_]+$/), z.string().min(1)),
  }),
  kubernetes: z.object({
    kubernetes: componentPin,
    etcd: componentPin,
    kwok: componentPin,
    helm: componentPin,
    kubeconform: componentPin,
    schemas: componentPin.extend({ kubernetesVersions: z.array(z.string().regex(/^\d+\.\d+\.\d+$/)).min(1) }),
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;

export const manifestPath = join(repoRoot, 'infra/native/manifest.json');

/** Reads and validates infra/native/manifest.json; a bad manifest fails with the offending field. */
export function loadManifest(path = manifestPath): Manifest {
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${path} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Port lookup that fails loudly on a name the manifest does not define. */
export function port(manifest: Manifest, name: string): number {
  const value = manifest.ports[name];
  if (value === undefined) throw new Error(`manifest has no port ${name}`);
  return value;
}
