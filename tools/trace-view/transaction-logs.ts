import type { TransactionLogs, TransactionTrace } from './types';
import { mapLogRecord, type VictoriaLogsClient } from './victorialogs';

export interface TransactionLogsOptions {
  /** VictoriaLogs' HTTP endpoint (default: 127.0.0.1 at the manifest's VICTORIALOGS_HTTP_PORT). */
  url?: string;
  /** Most log lines read for one transaction (default DEFAULT_LOG_LIMIT). */
  limit?: number;
}

export const DEFAULT_LOG_LIMIT = 500;
/**
 * Lines are logged inside their spans; the margin around the spans' window allows for the clocks of
 * other hosts. The window keeps VictoriaLogs to the days (partitions) that can hold the lines.
 */
const TIME_MARGIN_MICROS = 5 * 60 * 1e6;

const isoMillis = (micros: number) => new Date(Math.floor(micros / 1000)).toISOString();

/** LogsQL selecting every log line of these traces: what the view reads, and what a reader pastes into VictoriaLogs' UI. */
export function transactionLogsFilter(traces: TransactionTrace[]): string {
  const spans = traces.flatMap((trace) => trace.spans);
  const start = Math.min(...spans.map((span) => span.startMicros)) - TIME_MARGIN_MICROS;
  const end = Math.max(...spans.map((span) => span.startMicros + span.durationMicros)) + TIME_MARGIN_MICROS;
  const ids = traces.map((trace) => JSON.stringify(trace.traceId)).join(', ');
  return `trace_id:in(${ids}) _time:[${isoMillis(start)}, ${isoMillis(end)}]`;
}

/**
 * The log lines of every trace of the transaction, in one query: the earliest `limit` by time
 * (`limitReached` says there are more). A log store that cannot be read gives no lines and the
 * reason in `error`: the traces are worth showing without their logs.
 */
export async function readTransactionLogs(
  client: VictoriaLogsClient,
  traces: TransactionTrace[],
  limit: number = DEFAULT_LOG_LIMIT,
): Promise<TransactionLogs> {
  const query = transactionLogsFilter(traces);
  try {
    // One line past the limit tells whether the limit was reached.
    const records = await client.query(`${query} | sort by (_time) limit ${limit + 1}`);
    return { query, lines: records.slice(0, limit).map(mapLogRecord), limit, limitReached: records.length > limit };
  } catch (error) {
    return { query, lines: [], limit, limitReached: false, error: (error as Error).message };
  }
}
