import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Millis: number;
  p99Millis: number;
  /** Requests answered with 2xx. */
  ok: number;
  /** Connection errors, timeouts and non-2xx answers: a configuration that fails requests is not measured. */
  failed: number;
}

export interface LoadOptions {
  url: string;
  seconds: number;
  connections: number;
  /** Open loop at this many requests/s in total; without it, closed loop (as fast as answers come). */
  rate?: number;
}

/** Drives one URL with autocannon and reports throughput and latency. */
export async function driveHttp(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Millis: result.latency.p50,
    p99Millis: result.latency.p99,
    ok: result['2xx'],
    failed: result.errors + result.timeouts + result.non2xx,
  };
}
