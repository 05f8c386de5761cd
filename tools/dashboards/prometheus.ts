import { loadManifest } from '../../infra/stack/src/manifest';
import { unreachableError } from '../trace-view/unreachable';

export const DEFAULT_PROMETHEUS_URL = `http://127.0.0.1:${loadManifest().ports.PROMETHEUS_PORT}`;

export interface Series {
  labels: Record<string, string>;
  /** [unix seconds, value] pairs; an instant query gives one. */
  points: [number, number][];
}

interface ApiAnswer {
  status: 'success' | 'error';
  error?: string;
  data?: { result: { metric: Record<string, string>; value?: [number, string]; values?: [number, string][] }[] };
}

/** Prometheus' HTTP query API: a failed query throws with Prometheus' own message. */
export class PrometheusClient {
  constructor(private readonly baseUrl = DEFAULT_PROMETHEUS_URL) {}

  private async get(path: string, params: Record<string, string>): Promise<Series[]> {
    const url = `${this.baseUrl}${path}?${new URLSearchParams(params)}`;
    const response = await fetch(url).catch((error: unknown) => {
      throw unreachableError('Prometheus', this.baseUrl, error);
    });
    const answer = (await response.json()) as ApiAnswer;
    if (answer.status !== 'success' || !answer.data) throw new Error(answer.error ?? `Prometheus answered ${response.status}`);
    return answer.data.result.map((series) => ({
      labels: series.metric,
      points: (series.values ?? (series.value ? [series.value] : [])).map(([time, value]) => [time, Number(value)] as [number, number]),
    }));
  }

  instant(query: string): Promise<Series[]> {
    return this.get('/api/v1/query', { query });
  }

  range(query: string, startSeconds: number, endSeconds: number, stepSeconds: number): Promise<Series[]> {
    return this.get('/api/v1/query_range', { query, start: String(startSeconds), end: String(endSeconds), step: String(stepSeconds) });
  }
}
