import { promQl, type Dashboard } from './dashboards';
import type { PrometheusClient } from './prometheus';

/** One panel query, run now: how many series with a number it returned, or why it failed. */
export interface QueryOutcome {
  panel: string;
  refId: string;
  query: string;
  /** Series whose value is a number: NaN (a quantile of empty buckets, 0/0) draws nothing. */
  series: number;
  error?: string;
}

/** Runs every query of every panel as an instant query: what a freshly opened dashboard would show. */
export async function evaluatePanels(prometheus: PrometheusClient, dashboard: Dashboard): Promise<QueryOutcome[]> {
  const outcomes: QueryOutcome[] = [];
  for (const panel of dashboard.panels)
    for (const target of panel.targets) {
      const query = promQl(dashboard, target);
      try {
        const series = await prometheus.instant(query);
        outcomes.push({
          panel: panel.title,
          refId: target.refId,
          query,
          series: series.filter((one) => one.points.some(([, value]) => Number.isFinite(value))).length,
        });
      } catch (error) {
        outcomes.push({ panel: panel.title, refId: target.refId, query, series: 0, error: (error as Error).message });
      }
    }
  return outcomes;
}

/** A query that would leave its panel empty or broken. */
export const isBroken = (outcome: QueryOutcome) => outcome.error !== undefined || outcome.series === 0;
