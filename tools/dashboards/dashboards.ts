import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The part of Grafana's dashboard JSON tracehop's dashboards use (infra/grafana/dashboards). */
export interface PanelTarget {
  refId: string;
  expr: string;
  legendFormat?: string;
  exemplar?: boolean;
}
export interface Panel {
  id: number;
  type: 'timeseries' | 'stat' | 'bargauge';
  title: string;
  description: string;
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig: { defaults: { unit?: string } };
  targets: PanelTarget[];
}
interface TemplateVariable {
  name: string;
  includeAll?: boolean;
  allValue?: string;
}
export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  panels: Panel[];
  templating: { list: TemplateVariable[] };
}

export const DASHBOARDS_DIR = join(__dirname, '../../infra/grafana/dashboards');

/** Every dashboard file, by file name without `.json`. */
export function loadDashboards(dir = DASHBOARDS_DIR): { name: string; dashboard: Dashboard }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({ name: file.replace(/\.json$/, ''), dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

/**
 * A target's query as Prometheus runs it: Grafana's own variables replaced the way Grafana would
 * for a short time range (`$__rate_interval`: four 5 s scrapes and a margin, 1m), and each template
 * variable by its "All" value.
 */
export function promQl(dashboard: Dashboard, target: PanelTarget, rateInterval = '1m'): string {
  let expr = target.expr.replace(/\$__rate_interval|\$\{__rate_interval\}/g, rateInterval);
  for (const variable of dashboard.templating.list) {
    if (!variable.includeAll || variable.allValue === undefined)
      throw new Error(`variable ${variable.name} has no "All" value to evaluate with`);
    expr = expr.replace(new RegExp(`\\$\\{${variable.name}\\}|\\$${variable.name}\\b`, 'g'), variable.allValue);
  }
  return expr;
}

/** A series' legend as Grafana draws it: `{{label}}` replaced by the series' label values. */
export const legendOf = (target: PanelTarget, labels: Record<string, string>): string =>
  target.legendFormat
    ? target.legendFormat.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => labels[name] ?? '')
    : (labels.__name__ ?? target.refId);
