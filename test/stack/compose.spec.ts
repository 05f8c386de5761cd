import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseEnv } from 'dotenv';
import { parse } from 'yaml';
import { loadOrderServiceConfig } from '../../apps/order-service/src/config';
import { loadPaymentServiceConfig } from '../../apps/payment-service/src/config';
import { loadUserServiceConfig } from '../../apps/user-service/src/config';
import { victoriaLogsFlags } from '../../infra/stack/src/components/victorialogs-flags';
import { composeEnv } from '../../infra/stack/src/compose-env';
import { loadManifest } from '../../infra/stack/src/manifest';

/**
 * Compose cannot run here (no Docker engine); this checks what can be checked without it: the
 * files parse, they mount the very configs the native stack runs, and ports and versions agree.
 */
const repo = join(__dirname, '../..');
const composeDir = join(repo, 'infra/compose');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const manifest = loadManifest();
const env = parseEnv(read('infra/compose/.env'));

interface Service {
  image?: string;
  command?: string[];
  profiles?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
}
const compose = parse(read('infra/compose/docker-compose.yaml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Variables a config file reads, and which of them have no default. */
function configVariables(file: string): { all: Set<string>; required: Set<string> } {
  const matches = [...read(file).matchAll(/\$\{(?:env:)?([A-Z_]+)(:-[^}]*)?\}/g)];
  return { all: new Set(matches.map((m) => m[1])), required: new Set(matches.filter((m) => !m[2]).map((m) => m[1])) };
}

describe('infra/compose', () => {
  it('publishes every port on 127.0.0.1 only', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(published.length).toBeGreaterThan(5);
    for (const mapping of published) expect(mapping).toMatch(/^127\.0\.0\.1:/);
  });

  it.each([
    ['agent', 'infra/collector/agent.yaml'],
    ['gateway', 'infra/collector/gateway.yaml'],
    ['jaeger', 'infra/jaeger/jaeger.yaml'],
  ])('%s mounts %s verbatim and sets every variable it needs, and only those', (name, file) => {
    const service = services[name];
    const mounted = (service.volumes ?? []).map((v) => resolve(composeDir, v.split(':')[0]));
    expect(mounted).toContain(join(repo, file));
    const { all, required } = configVariables(file);
    const set = Object.keys(service.environment ?? {});
    // OTEL_* variables configure the program's own SDK, not its config file.
    for (const variable of set.filter((v) => !v.startsWith('OTEL_'))) {
      expect({ variable, readByConfig: all.has(variable) }).toEqual({ variable, readByConfig: true });
    }
    for (const variable of required) expect({ variable, setByCompose: set.includes(variable) }).toEqual({ variable, setByCompose: true });
  });

  it('mounts only files that exist', () => {
    const binds = Object.values(services).flatMap((s) => (s.volumes ?? []).filter((v) => v.startsWith('.')));
    for (const bind of binds) expect({ bind, exists: existsSync(resolve(composeDir, bind.split(':')[0])) }).toEqual({ bind, exists: true });
  });

  it('reads ports and versions from .env as generated from the manifest (npm run stack -- compose-env)', () => {
    expect(read('infra/compose/.env')).toBe(composeEnv(manifest));
  });

  it('shares port numbers with the native manifest', () => {
    const shared = Object.keys(env).filter((name) => name in manifest.ports);
    expect(shared.length).toBeGreaterThanOrEqual(8);
    for (const name of shared) expect({ name, port: Number(env[name]) }).toEqual({ name, port: manifest.ports[name] });
  });

  it('runs the same versions as the native stack', () => {
    const c = manifest.components;
    expect(env.COLLECTOR_VERSION).toBe(c.collector.version);
    expect(c.search.version.startsWith(`${env.OPENSEARCH_VERSION}.`)).toBe(true);
    expect(env.VICTORIALOGS_VERSION).toBe(c.victorialogs.version);
    expect(services.victorialogs.image).toBe('victoriametrics/victoria-logs:${VICTORIALOGS_VERSION}');
    expect(env.PROMETHEUS_VERSION.startsWith(`v${c.prometheus.version}.`)).toBe(true);
    expect(env.POSTGRES_VERSION).toBe(c.postgres.version);
    expect(c.jaeger.source).toContain(`Jaeger v${env.JAEGER_IMAGE_VERSION}`);
  });

  it("runs VictoriaLogs with the native stack's flags (retention included), listening inside its container", () => {
    expect(services.victorialogs.command).toEqual(victoriaLogsFlags(':9428', '/victoria-logs-data'));
  });

  it('creates the same databases and scrapes the same jobs', () => {
    const created = [...read('infra/compose/postgres/init-databases.sql').matchAll(/CREATE DATABASE (\w+)/g)].map((m) => m[1]);
    expect(created).toEqual(manifest.databases);
    const jobs = (file: string) => (parse(read(file)) as { scrape_configs: { job_name: string }[] }).scrape_configs.map((j) => j.job_name);
    expect(jobs('infra/compose/prometheus/prometheus.yml')).toEqual(jobs('infra/prometheus/prometheus.yml'));
  });

  it('provisions Grafana with Prometheus, Jaeger and VictoriaLogs, linked trace ↔ logs', () => {
    const { datasources } = parse(read('infra/compose/grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; type: string; jsonData?: Record<string, unknown> }[];
    };
    const byUid = Object.fromEntries(datasources.map((d) => [d.uid, d]));
    expect(Object.keys(byUid).sort()).toEqual(['jaeger', 'prometheus', 'victorialogs']);
    // The VictoriaLogs data source is a plugin: Grafana installs the very type provisioned, at a pinned version.
    const preinstall = (services.grafana.environment?.GF_PLUGINS_PREINSTALL_SYNC ?? '').replace(
      /\$\{(\w+)\}/g,
      (_, name: string) => env[name] ?? '',
    );
    expect(preinstall.split(',')).toContainEqual(expect.stringMatching(new RegExp(`^${byUid.victorialogs.type}@\\d+\\.\\d+\\.\\d+$`)));
    // $$ is how a provisioning file writes a literal $ (Grafana expands $VAR there).
    expect(byUid.jaeger.jsonData?.tracesToLogsV2).toMatchObject({
      datasourceUid: 'victorialogs',
      customQuery: true,
      query: expect.stringContaining('trace_id:="$${__span.traceId}"'),
    });
    expect(byUid.victorialogs.jsonData?.derivedFields).toEqual([
      expect.objectContaining({ matcherType: 'label', matcherRegex: 'trace_id', datasourceUid: 'jaeger', url: '$${__value.raw}' }),
    ]);
  });

  it('runs the three services (profile "services") with environments their own config accepts, on their default ports', () => {
    const loaders = {
      'user-service': loadUserServiceConfig,
      'order-service': loadOrderServiceConfig,
      'payment-service': loadPaymentServiceConfig,
    };
    for (const [name, load] of Object.entries(loaders)) {
      const service = services[name];
      expect({ name, profiles: service.profiles }).toEqual({ name, profiles: ['services'] });
      const config = load(service.environment);
      expect({ name, database: new URL(config.DATABASE_URL).pathname, port: config.PORT }).toEqual({
        name,
        database: `/${config.serviceName.replace('-service', '')}s`,
        port: load({}).PORT,
      });
      expect(service.ports).toEqual([`127.0.0.1:\${${name.replace('-service', '').toUpperCase()}_SERVICE_PORT}:${config.PORT}`]);
      expect(Number(env[`${name.replace('-service', '').toUpperCase()}_SERVICE_PORT`])).toBe(config.PORT);
    }
  });
});
