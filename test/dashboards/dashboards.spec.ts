import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadDashboards, promQl } from '../../tools/dashboards/dashboards';

const repo = join(__dirname, '../..');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');
const dashboards = loadDashboards();

/** What can be checked without Prometheus: the files, their shape, and compose's provisioning. */
describe('Grafana dashboards (infra/grafana/dashboards)', () => {
  it('are the five the docs promise, each with a unique uid', () => {
    expect(dashboards.map((entry) => entry.name)).toEqual(['business', 'kafka', 'pipeline', 'services', 'telemetry-cost']);
    const uids = dashboards.map((entry) => entry.dashboard.uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('title every panel by the question it answers, describe it, and query the provisioned Prometheus', () => {
    const { datasources } = parse(read('infra/compose/grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: { uid: string; type: string }[];
    };
    const prometheus = datasources.find((source) => source.type === 'prometheus')!;
    for (const { dashboard } of dashboards)
      for (const panel of dashboard.panels) {
        expect(panel.title).toMatch(/\?$/);
        expect(panel.description.length).toBeGreaterThan(10);
        expect(panel.targets.length).toBeGreaterThan(0);
        for (const target of [panel, ...panel.targets] as { datasource?: { uid: string } }[])
          expect(target.datasource).toEqual({ type: 'prometheus', uid: prometheus.uid });
        // Every Grafana variable a query uses is one the evaluation knows how to fill in.
        for (const target of panel.targets) expect(promQl(dashboard, target)).not.toMatch(/\$/);
      }
  });

  it('link latency panels to traces through exemplars, where Prometheus keeps them', () => {
    const services = dashboards.find((entry) => entry.name === 'services')!.dashboard;
    const latency = services.panels.filter((panel) => panel.targets.some((target) => target.expr.includes('traces_span_metrics_duration')));
    expect(latency.length).toBeGreaterThan(2);
    for (const panel of latency) expect(panel.targets.every((target) => target.exemplar)).toBe(true);
    expect(read('infra/stack/src/components/prometheus.ts')).toContain('--enable-feature=exemplar-storage');
    expect(read('infra/compose/docker-compose.yaml')).toContain('--enable-feature=exemplar-storage');
  });

  it('are provisioned by compose from the same folder', () => {
    const provider = parse(read('infra/compose/grafana/provisioning/dashboards/tracehop.yaml')) as {
      providers: { options: { path: string } }[];
    };
    const compose = parse(read('infra/compose/docker-compose.yaml'), { merge: true }) as { services: { grafana: { volumes: string[] } } };
    expect(compose.services.grafana.volumes).toContain(`../grafana/dashboards:${provider.providers[0].options.path}:ro`);
  });
});
