import type { TopLevelSpec } from 'vega-lite';
import { legendOf, promQl, type Dashboard, type Panel } from './dashboards';
import type { PrometheusClient } from './prometheus';

/** Pixels of one of Grafana's 24 grid columns, and of one grid row, in the picture. */
const COLUMN_PX = 62;
const ROW_PX = 34;

/**
 * How Grafana's units read on an axis or a stat: a d3 format, a suffix, and the smallest domain an
 * axis spans (an all-zero series, e.g. no retries, would otherwise collapse the axis).
 */
const UNITS: Record<string, { format: string; suffix: string; span: number }> = {
  reqps: { format: '.3~g', suffix: ' req/s', span: 1 },
  percentunit: { format: '.1%', suffix: '', span: 0.01 },
  ms: { format: '.3~g', suffix: ' ms', span: 1 },
  s: { format: '.3~g', suffix: ' s', span: 0.01 },
  bytes: { format: '.3~s', suffix: 'B', span: 1 },
  short: { format: '.3~g', suffix: '', span: 1 },
};
const unitOf = (panel: Panel) => UNITS[panel.fieldConfig.defaults.unit ?? 'short'] ?? UNITS.short;

const INDEPENDENT = { scale: { color: 'independent', x: 'independent', y: 'independent' }, legend: { color: 'independent' } };

interface Point {
  time: number;
  value: number;
  series: string;
}

/** The panel's queries over the window, as points with their legend. */
async function panelPoints(
  prometheus: PrometheusClient,
  dashboard: Dashboard,
  panel: Panel,
  window: { start: number; end: number; step: number },
) {
  const points: Point[] = [];
  for (const target of panel.targets)
    for (const series of await prometheus.range(promQl(dashboard, target), window.start, window.end, window.step))
      for (const [time, value] of series.points)
        if (Number.isFinite(value)) points.push({ time: time * 1000, value, series: legendOf(target, series.labels) });
  return points;
}

/** The last value of every series: what a stat or bar gauge shows. */
function lastValues(points: Point[]): Point[] {
  const last = new Map<string, Point>();
  for (const point of points) if ((last.get(point.series)?.time ?? -1) <= point.time) last.set(point.series, point);
  return [...last.values()].sort((a, b) => b.value - a.value);
}

function panelSpec(panel: Panel, points: Point[]): object {
  const { format, suffix, span } = unitOf(panel);
  const scale = { domain: { unionWith: [0, span] } };
  const width = panel.gridPos.w * COLUMN_PX - 40;
  const height = panel.gridPos.h * ROW_PX - 70;
  const title = { text: panel.title, anchor: 'start', fontSize: 13 };
  if (panel.type === 'stat') {
    const values = lastValues(points);
    return {
      title,
      width,
      height: Math.max(40, height),
      data: { values: values.map((point, index) => ({ ...point, index })) },
      mark: { type: 'text', fontSize: values.length > 1 ? 18 : 34, fontWeight: 'bold', color: '#2f6f3e', align: 'left', x: 10 },
      encoding: {
        y: { field: 'index', type: 'ordinal', axis: null },
        text: { field: 'label', type: 'nominal' },
      },
      // A stat is read as a number, not an axis tick: thousands separated, never in e-notation.
      transform: [
        {
          calculate: `(datum.series && datum.series !== 'A' ? datum.series + ': ' : '') + format(datum.value, '${format === '.3~g' ? ',.4~g' : format}') + '${suffix}'`,
          as: 'label',
        },
      ],
    };
  }
  if (panel.type === 'bargauge') {
    return {
      title,
      width,
      height: Math.max(60, height),
      data: { values: lastValues(points).slice(0, 12) },
      mark: { type: 'bar', color: '#3274d9' },
      encoding: {
        y: { field: 'series', type: 'nominal', sort: '-x', title: null, axis: { labelLimit: 320 } },
        x: { field: 'value', type: 'quantitative', title: null, scale, axis: { format, labelExpr: `datum.label + '${suffix}'` } },
      },
    };
  }
  return {
    title,
    width,
    height: Math.max(60, height - 40),
    data: { values: points },
    mark: { type: 'line', strokeWidth: 1.5, interpolate: 'monotone' },
    encoding: {
      x: { field: 'time', type: 'temporal', title: null, axis: { format: '%H:%M', tickCount: 5 } },
      y: { field: 'value', type: 'quantitative', title: null, scale, axis: { format, labelExpr: `datum.label + '${suffix}'` } },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 300, symbolLimit: 10 } },
    },
  };
}

/**
 * The dashboard as a picture: every panel drawn with Vega-Lite from the same queries Grafana runs,
 * laid out on Grafana's grid (rows of panels as placed by gridPos), over the last `windowSeconds`.
 */
export async function dashboardPicture(prometheus: PrometheusClient, dashboard: Dashboard, windowSeconds: number): Promise<TopLevelSpec> {
  const end = Math.floor(Date.now() / 1000);
  const window = { start: end - windowSeconds, end, step: Math.max(5, Math.round(windowSeconds / 120)) };
  const rows = new Map<number, object[]>();
  for (const panel of [...dashboard.panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x)) {
    const row = rows.get(panel.gridPos.y) ?? [];
    row.push(panelSpec(panel, await panelPoints(prometheus, dashboard, panel, window)));
    rows.set(panel.gridPos.y, row);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: dashboard.title,
      subtitle: `last ${Math.round(windowSeconds / 60)} min, rendered from infra/grafana/dashboards`,
      anchor: 'start',
      fontSize: 18,
    },
    // Each panel keeps its own colours and legend, as in Grafana.
    vconcat: [...rows.values()].map((row) => ({ hconcat: row, resolve: INDEPENDENT })),
    resolve: INDEPENDENT,
    config: { view: { stroke: '#ddd' }, font: 'DejaVu Sans' },
  } as TopLevelSpec;
}
