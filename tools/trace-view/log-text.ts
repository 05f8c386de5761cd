import type { LogLine, TransactionLogs } from './types';
import { formatMs } from './waterfall';

/** How both renderers word log lines and the note about them. */

/** A line's time on the transaction's time axis: `+12.3 ms` (a line before the first span starts: `-0.40 ms`). */
export function logOffset(line: LogLine, axisStartMicros: number): string {
  const micros = line.timeMicros - axisStartMicros;
  return `${micros < 0 ? '' : '+'}${formatMs(micros)}`;
}

/** The line's own fields, compact: `key=value key=value`. */
export const logFieldsText = (line: LogLine): string =>
  Object.entries(line.fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');

/** One line about the logs for the view's header (undefined when they were not asked for); `warning` when lines may be missing. */
export function logsNote(logs: TransactionLogs | undefined): { text: string; warning: boolean } | undefined {
  if (!logs) return undefined;
  if (logs.error) return { text: `logs: not shown, ${logs.error}`, warning: true };
  if (logs.limitReached) return { text: `logs: the first ${logs.limit} lines only (limit reached)`, warning: true };
  const count = logs.lines.length;
  return { text: `logs: ${count || 'no'} line${count === 1 ? '' : 's'} from VictoriaLogs`, warning: false };
}
