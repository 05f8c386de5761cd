import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { components } from '../../infra/stack/src/components/index';
import { loadManifest } from '../../infra/stack/src/manifest';
import { stackPaths } from '../../infra/stack/src/paths';
import { stackEnv } from '../../infra/stack/src/stack-env';

const repo = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const manifest = loadManifest();

describe('native manifest: the one place versions and ports are pinned', () => {
  it('every build file names the version the manifest pins', () => {
    const builder = parse(read('infra/collector/builder-config.yaml')) as Record<string, { gomod: string }[]>;
    const modules = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'].flatMap((kind) =>
      builder[kind].map((m) => m.gomod),
    );
    expect(modules.length).toBeGreaterThan(10);
    // The components the module proxy does not serve at the pinned version (builder-config.yaml says why).
    const older = [
      'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/kafkametricsreceiver v0.152.0',
      'github.com/open-telemetry/opentelemetry-collector-contrib/exporter/loadbalancingexporter v0.152.0',
    ];
    for (const module of modules.filter((m) => !older.includes(m)))
      expect(module).toMatch(new RegExp(` v${manifest.components.collector.version.replace(/\./g, '\\.')}$`));
    expect(modules).toEqual(expect.arrayContaining(older));

    expect(read('infra/native/jaeger/go.mod')).toContain(`github.com/jaegertracing/jaeger ${manifest.components.jaeger.version}`);
    // The Helm chart's install test: the control plane and its store.
    const kubernetes = manifest.kubernetes.kubernetes.version;
    const kubernetesModule = read('infra/native/kubernetes/go.mod');
    expect(kubernetesModule).toContain(`require k8s.io/kubernetes ${kubernetes}`);
    // Staging modules are published as v0.<minor>.<patch> for Kubernetes v1.<minor>.<patch>.
    const replaced = [...kubernetesModule.matchAll(/^\t(k8s\.io\/[\w-]+) => \1 (v\S+)$/gm)];
    expect(replaced.length).toBeGreaterThan(20);
    for (const [, , version] of replaced) expect(version).toBe(kubernetes.replace(/^v1\./, 'v0.'));
    expect(read('infra/native/etcd/go.mod')).toContain(`require go.etcd.io/etcd/server/v3 ${manifest.kubernetes.etcd.version}`);
    expect(read('infra/native/kafka/pom.xml')).toContain(`<kafka.version>${manifest.components.kafka.version}</kafka.version>`);
    expect(read('infra/native/search/pom.xml')).toContain(
      `<opensearch.runner.version>${manifest.components.search.version}</opensearch.runner.version>`,
    );
  });

  it('every manifest port belongs to exactly one component, and no component names an unknown port', () => {
    const claimed = components.flatMap((c) => c.ports);
    expect([...claimed].sort()).toEqual(Object.keys(manifest.ports).sort());
  });

  it.each(['infra/collector/agent.yaml', 'infra/collector/gateway.yaml', 'infra/jaeger/jaeger.yaml'])(
    '%s: every default address equals what the native stack passes for it',
    (file) => {
      const env = stackEnv(manifest, stackPaths({ TRACEHOP_STATE_DIR: '/state', TRACEHOP_CACHE_DIR: '/cache' }), {
        gatewayTokenFile: '/token',
        gatewayCert: '/cert',
        gatewayKey: '/key',
        postgresPasswordFile: '/postgres-password',
        pgpassFile: '/pgpass',
        kafkaKeySaltFile: '/kafka-key-salt',
      });
      // Address defaults only: tuning defaults (sampling, environment name) are not the stack's to pass.
      const defaults = [...read(file).matchAll(/\$\{(?:env:)?([A-Z_]+):-([^}]+)\}/g)].filter(([, , value]) => value.includes('127.0.0.1'));
      expect(defaults.length).toBeGreaterThan(0);
      for (const [, variable, fallback] of defaults) {
        expect({ variable, fallback }).toEqual({ variable, fallback: env[variable] });
      }
    },
  );

  it('every config listens on loopback unless told otherwise', () => {
    for (const file of ['infra/collector/agent.yaml', 'infra/collector/gateway.yaml', 'infra/jaeger/jaeger.yaml']) {
      expect(read(file)).not.toMatch(/0\.0\.0\.0/);
    }
  });
});
