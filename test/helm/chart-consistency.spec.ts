import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadOrderServiceConfig } from '../../apps/order-service/src/config';
import { loadPaymentServiceConfig } from '../../apps/payment-service/src/config';
import { loadUserServiceConfig } from '../../apps/user-service/src/config';
import { victoriaLogsFlags } from '../../infra/stack/src/components/victorialogs-flags';
import { loadManifest } from '../../infra/stack/src/manifest';
import { baselineThreshold } from '../../infra/stack/src/tail-sampling';
import { serviceEnvSchema } from '../../libs/service-kit/src/config/service-config';

/**
 * The Helm chart cannot be rendered here (no helm binary in the toolchain, no cluster); this checks
 * what keeps it in step with the native stack and compose without one: ports and versions equal the
 * manifest's, the configs it ships are the very files infra/ holds, the collectors and Jaeger get
 * every variable their config needs, and the services' settings in values.schema.json are the ones
 * the services validate.
 */
const repo = join(__dirname, '../..');
const chartDir = join(repo, 'infra/helm/tracehop');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const manifest = loadManifest();

interface Image {
  repository: string;
  tag: string;
}
interface ChartValues {
  services: Record<'user' | 'order' | 'payment', { port: number; config: Record<string, unknown> }> & {
    image: Image;
    config: Record<string, unknown>;
  };
  collector: { image: Image };
  agent: { ports: Record<string, number> };
  gateway: { ports: Record<string, number>; tailSampling: { baselineThreshold: string; decisionWait: string; slowMs: number } };
  kafka: { image: Image; port: number; controllerPort: number };
  postgres: { image: Image; port: number };
  jaeger: { image: Image; ports: Record<string, number> };
  opensearch: { image: Image; port: number; transportPort: number };
  victorialogs: { image: Image; port: number; retentionPeriod: string };
  prometheus: { image: Image; port: number };
  grafana: { image: Image; port: number; victoriaLogsPluginVersion: string };
}
const values = parse(read('infra/helm/tracehop/values.yaml')) as ChartValues;

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  [keyword: string]: unknown;
}
const schema = JSON.parse(read('infra/helm/tracehop/values.schema.json')) as JsonSchema;
const schemaAt = (path: string): JsonSchema =>
  path.split('.').reduce<JsonSchema>((node, key) => node.properties?.[key] ?? ({} as JsonSchema), schema);

/** Variables a config file reads, and which of them have no default (as test/stack/compose.spec.ts reads them). */
function configVariables(...files: string[]): { all: Set<string>; required: Set<string> } {
  const matches = files.flatMap((file) => [...read(file).matchAll(/\$\{(?:env:)?([A-Z_]+)(:-[^}]*)?\}/g)]);
  return { all: new Set(matches.map((m) => m[1])), required: new Set(matches.filter((m) => !m[2]).map((m) => m[1])) };
}

/** Names of the environment variables a template sets (`- name: X` and `{ name: X, ... }` alike). */
const templateEnv = (template: string) => [
  ...new Set([...read(`infra/helm/tracehop/templates/${template}`).matchAll(/\bname: ([A-Z][A-Z0-9_]+)\b/g)].map((m) => m[1])),
];

/** The image compose runs for a service, without its tag. */
function composeRepository(service: string): string {
  const compose = parse(read('infra/compose/docker-compose.yaml'), { merge: true }) as { services: Record<string, { image: string }> };
  return compose.services[service].image.replace(/:\$\{\w+\}$/, '');
}

describe('infra/helm/tracehop', () => {
  it('is a v2 chart for Kubernetes 1.33 and later', () => {
    const chart = parse(read('infra/helm/tracehop/Chart.yaml')) as { apiVersion: string; kubeVersion: string; appVersion: string };
    expect(chart.apiVersion).toBe('v2');
    expect(chart.kubeVersion).toBe('>=1.33.0-0');
    // The services image's default tag.
    expect(chart.appVersion).toBe((JSON.parse(read('package.json')) as { version: string }).version);
  });

  it("uses the manifest's port for every port the manifest names", () => {
    const p = values;
    const chartPorts: Record<string, number> = {
      KAFKA_PORT: p.kafka.port,
      KAFKA_CONTROLLER_PORT: p.kafka.controllerPort,
      POSTGRES_PORT: p.postgres.port,
      SEARCH_PORT: p.opensearch.port,
      SEARCH_TRANSPORT_PORT: p.opensearch.transportPort,
      AGENT_OTLP_GRPC_PORT: p.agent.ports.otlpGrpc,
      AGENT_OTLP_HTTP_PORT: p.agent.ports.otlpHttp,
      AGENT_HEALTH_PORT: p.agent.ports.health,
      AGENT_METRICS_PORT: p.agent.ports.metrics,
      GATEWAY_OTLP_GRPC_PORT: p.gateway.ports.otlpGrpc,
      GATEWAY_OTLP_HTTP_PORT: p.gateway.ports.otlpHttp,
      GATEWAY_HEALTH_PORT: p.gateway.ports.health,
      GATEWAY_METRICS_PORT: p.gateway.ports.metrics,
      GATEWAY_PROMETHEUS_PORT: p.gateway.ports.prometheus,
      JAEGER_OTLP_GRPC_PORT: p.jaeger.ports.otlpGrpc,
      JAEGER_OTLP_HTTP_PORT: p.jaeger.ports.otlpHttp,
      JAEGER_QUERY_PORT: p.jaeger.ports.query,
      JAEGER_QUERY_GRPC_PORT: p.jaeger.ports.queryGrpc,
      JAEGER_HEALTH_PORT: p.jaeger.ports.health,
      JAEGER_METRICS_PORT: p.jaeger.ports.metrics,
      VICTORIALOGS_HTTP_PORT: p.victorialogs.port,
      PROMETHEUS_PORT: p.prometheus.port,
      GRAFANA_PORT: p.grafana.port,
      USER_SERVICE_PORT: p.services.user.port,
      ORDER_SERVICE_PORT: p.services.order.port,
      PAYMENT_SERVICE_PORT: p.services.payment.port,
    };
    const expected = { ...manifest.ports, ...manifest.compose.ports };
    // A port added to the manifest needs its place in the chart too.
    expect(Object.keys(chartPorts).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, port] of Object.entries(chartPorts)) expect({ name, port }).toEqual({ name, port: expected[name] });
  });

  it('runs each service on the port its own config defaults to', () => {
    expect(values.services.user.port).toBe(loadUserServiceConfig({}).PORT);
    expect(values.services.order.port).toBe(loadOrderServiceConfig({}).PORT);
    expect(values.services.payment.port).toBe(loadPaymentServiceConfig({}).PORT);
  });

  it('runs the same versions and images as the native stack and compose', () => {
    const c = manifest.components;
    const images = manifest.compose.images;
    expect(values.collector.image.tag).toBe(c.collector.version);
    expect(values.jaeger.image).toMatchObject({ repository: 'jaegertracing/jaeger', tag: c.jaeger.release.replace(/^v/, '') });
    expect(values.victorialogs.image).toMatchObject({ repository: composeRepository('victorialogs'), tag: c.victorialogs.version });
    expect(values.opensearch.image).toMatchObject({ repository: composeRepository('search'), tag: images.OPENSEARCH_VERSION });
    expect(values.prometheus.image).toMatchObject({ repository: composeRepository('prometheus'), tag: images.PROMETHEUS_VERSION });
    expect(values.grafana.image).toMatchObject({ repository: composeRepository('grafana'), tag: images.GRAFANA_VERSION });
    expect(values.grafana.victoriaLogsPluginVersion).toBe(images.VICTORIALOGS_DATASOURCE_VERSION);
    expect(values.postgres.image).toMatchObject({ repository: composeRepository('postgres'), tag: c.postgres.version });
    // Compose runs Redpanda; the chart runs the Kafka release the native stack runs.
    expect(values.kafka.image).toMatchObject({ repository: 'apache/kafka', tag: c.kafka.version });
    expect(composeRepository('jaeger')).toBe(values.jaeger.image.repository);
  });

  it("samples as compose does and keeps VictoriaLogs' native retention", () => {
    const settings = manifest.compose.settings;
    expect(values.gateway.tailSampling).toEqual({
      baselineThreshold: baselineThreshold(settings.TAIL_SAMPLING_BASELINE_PERCENT),
      decisionWait: settings.TAIL_SAMPLING_DECISION_WAIT,
      slowMs: Number(settings.TAIL_SAMPLING_SLOW_MS),
    });
    expect(victoriaLogsFlags(':9428', '/data')).toContain(`-retentionPeriod=${values.victorialogs.retentionPeriod}`);
  });

  describe('ships the very config files of infra/ (symlinks under files/)', () => {
    const sources: [string, string][] = [
      ['files/collector/agent.yaml', 'infra/collector/agent.yaml'],
      ['files/collector/agent-loadbalancing.yaml', 'infra/collector/agent-loadbalancing.yaml'],
      ['files/collector/gateway.yaml', 'infra/collector/gateway.yaml'],
      ['files/jaeger/jaeger.yaml', 'infra/jaeger/jaeger.yaml'],
      ['files/postgres/init-databases.sql', 'infra/compose/postgres/init-databases.sql'],
      ...readdirSync(join(repo, 'infra/prometheus/rules'))
        .filter((file) => file.endsWith('.rules.yml'))
        .map((file): [string, string] => [`files/prometheus/rules/${file}`, `infra/prometheus/rules/${file}`]),
      ...readdirSync(join(repo, 'infra/grafana/dashboards'))
        .filter((file) => file.endsWith('.json'))
        .map((file): [string, string] => [`files/grafana/dashboards/${file}`, `infra/grafana/dashboards/${file}`]),
    ];

    it.each(sources)('%s is %s', (chartFile, source) => {
      expect(realpathSync(join(chartDir, chartFile))).toBe(realpathSync(join(repo, source)));
    });

    it('holds nothing else', () => {
      const listed = (dir: string): string[] =>
        readdirSync(join(chartDir, dir), { withFileTypes: true }).flatMap((entry) =>
          entry.isDirectory() ? listed(`${dir}/${entry.name}`) : [`${dir}/${entry.name}`],
        );
      expect(listed('files').sort()).toEqual(sources.map(([chartFile]) => chartFile).sort());
    });
  });

  it.each([
    ['collector/agent-daemonset.yaml', ['infra/collector/agent.yaml', 'infra/collector/agent-loadbalancing.yaml']],
    ['collector/gateway-deployment.yaml', ['infra/collector/gateway.yaml']],
    ['jaeger/deployment.yaml', ['infra/jaeger/jaeger.yaml']],
  ])('%s sets every variable its config needs, and only those', (template, files) => {
    const { all, required } = configVariables(...files);
    const set = templateEnv(template);
    expect(set.length).toBeGreaterThan(5);
    // OTEL_* variables configure the program's own SDK, not its config file.
    for (const variable of set.filter((v) => !v.startsWith('OTEL_'))) {
      expect({ variable, readByConfig: all.has(variable) }).toEqual({ variable, readByConfig: true });
    }
    for (const variable of required) expect({ variable, setByChart: set.includes(variable) }).toEqual({ variable, setByChart: true });
  });

  it('scrapes the jobs of the native Prometheus config', () => {
    const jobs = (parse(read('infra/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string }[] }).scrape_configs.map(
      (j) => j.job_name,
    );
    const chartJobs = [...read('infra/helm/tracehop/templates/prometheus/configmap.yaml').matchAll(/job_name: (\S+)/g)].map((m) => m[1]);
    expect(chartJobs).toEqual(jobs);
  });

  it("provisions Grafana's data sources as compose does", () => {
    const { datasources } = parse(read('infra/compose/grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; type: string; jsonData: Record<string, unknown> }[];
    };
    const template = read('infra/helm/tracehop/templates/grafana/configmaps.yaml');
    const chartDatasources = [...template.matchAll(/uid: (\w+)\n\s+type: ([\w-]+)/g)].map((m) => ({ uid: m[1], type: m[2] }));
    expect(chartDatasources).toEqual(datasources.map(({ uid, type }) => ({ uid, type })));
    const jaeger = datasources.find((d) => d.uid === 'jaeger')?.jsonData.tracesToLogsV2 as { query: string };
    expect(template).toContain(`query: '${jaeger.query}'`);
    expect(template).toContain('url: "$${__value.raw}"');
  });

  describe("values.schema.json: the services' settings are the ones they validate", () => {
    // Set by the chart from other values (addresses and ports), not settable as such.
    const chartSet = new Set(['HOST', 'PORT', 'KAFKA_BROKERS', 'DATABASE_URL', 'USER_SERVICE_URL']);
    const settable = (load: (env: NodeJS.ProcessEnv) => object) =>
      Object.keys(load({}))
        .filter((name) => name !== 'serviceName' && !chartSet.has(name))
        .sort();
    const loaders = { user: loadUserServiceConfig, order: loadOrderServiceConfig, payment: loadPaymentServiceConfig };
    const shared = serviceEnvSchema({ port: 1, database: 'x' }).shape as Record<string, z.ZodType>;

    it('lists the shared variables with the bounds libs/service-kit enforces', () => {
      const listed = schemaAt('services.config').properties ?? {};
      expect(Object.keys(listed).sort()).toEqual(
        Object.keys(shared)
          .filter((name) => !chartSet.has(name))
          .sort(),
      );
      for (const [name, property] of Object.entries(listed)) {
        const { $schema: _schema, default: _default, ...expected } = z.toJSONSchema(shared[name], { io: 'input', unrepresentable: 'any' });
        expect({ name, property }).toEqual({ name, property: expected });
      }
    });

    it.each(Object.entries(loaders))("lists exactly %s-service's variables, with bounds its config accepts", (key, load) => {
      const listed = schemaAt(`services.${key}.config`).properties ?? {};
      expect(Object.keys(listed).sort()).toEqual(settable(load));
      for (const [name, property] of Object.entries(listed)) {
        if (property.minimum === undefined || property.maximum === undefined) continue;
        const step = property.type === 'integer' ? 1 : 0.5;
        expect(() => load({ [name]: String(property.minimum) })).not.toThrow();
        expect(() => load({ [name]: String(property.maximum) })).not.toThrow();
        expect(() => load({ [name]: String(property.maximum! + step) })).toThrow(name);
        expect(() => load({ [name]: String(property.minimum! - step) })).toThrow(name);
      }
    });

    it.each(Object.entries(loaders))('gives %s-service an environment its config accepts', (key, load) => {
      const service = values.services[key as keyof typeof loaders];
      const config = { ...values.services.config, ...service.config };
      const env = {
        HOST: '0.0.0.0',
        PORT: String(service.port),
        KAFKA_BROKERS: 't-tracehop-kafka.tracehop.svc.cluster.local:9092',
        DATABASE_URL: `postgres://postgres@t-tracehop-postgres.tracehop.svc.cluster.local:5432/${key}s`,
        ...Object.fromEntries(Object.entries(config).map(([name, value]) => [name, String(value)])),
      };
      expect(load(env).PORT).toBe(service.port);
    });

    it('refuses unknown keys at every level (a typo fails the install)', () => {
      // Pass-through Kubernetes objects (nodeSelector, tolerations, affinity) are the exceptions.
      const passThrough = /\.(nodeSelector|tolerations|affinity)$/;
      const loose: string[] = [];
      const walk = (node: JsonSchema, path: string) => {
        if (passThrough.test(path)) return;
        if (node.type === 'object' && node.additionalProperties !== false) loose.push(path);
        for (const [key, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${key}`);
        if (node.items) walk(node.items, `${path}[]`);
      };
      walk(schema, '$');
      expect(loose).toEqual([]);
      // And it knows every key values.yaml sets.
      const unknown: string[] = [];
      const cover = (value: unknown, node: JsonSchema, path: string) => {
        if (passThrough.test(path) || value === null || typeof value !== 'object' || Array.isArray(value)) return;
        for (const [key, child] of Object.entries(value)) {
          const childSchema = node.properties?.[key];
          if (!childSchema) unknown.push(`${path}.${key}`);
          else cover(child, childSchema, `${path}.${key}`);
        }
      };
      cover(values, schema, '$');
      expect(unknown).toEqual([]);
    });
  });
});
