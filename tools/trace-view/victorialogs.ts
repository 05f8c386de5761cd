import { loadManifest } from '../../infra/stack/src/manifest';
import { ATTR_TRACEHOP_COLLECTOR_AGENT } from './attributes';
import type { LogLevel, LogLine } from './types';
import { unreachableError } from './unreachable';

/** VictoriaLogs' LogsQL HTTP API (`/select/logsql/query`: one JSON object per record and line). */

/** A record as VictoriaLogs answers it: `_msg`, `_time`, `_stream…` and every stored field, as strings. */
export type VictoriaLogsRecord = Record<string, string>;

export const DEFAULT_VICTORIALOGS_URL = `http://127.0.0.1:${loadManifest().ports.VICTORIALOGS_HTTP_PORT}`;
/** A log store that does not answer must not hold up the trace view. */
const QUERY_TIMEOUT_MS = 10_000;

/** Fields a LogLine holds apart (or VictoriaLogs' own): not repeated among its fields. */
const LINE_FIELDS = new Set([
  '_msg',
  '_time',
  '_stream',
  '_stream_id',
  'trace_id',
  'span_id',
  'trace_flags',
  'severity_text',
  'severity_number',
  'timestamp',
  'service.name',
]);
/**
 * Resource attributes (OpenTelemetry's resource namespaces, the instrumentation scope, the agent's
 * stamp) are the same on every line of a process: VictoriaLogs stores them beside the record's own
 * attributes, and the view leaves them out.
 */
const RESOURCE_PREFIXES = ['service.', 'deployment.', 'host.', 'os.', 'process.', 'telemetry.', 'scope.', 'container.', 'k8s.', 'cloud.'];
const RESOURCE_ATTRIBUTES = new Set<string>([ATTR_TRACEHOP_COLLECTOR_AGENT]);
/** Severity texts when there is no severity number (Winston's npm levels included). */
const LEVEL_BY_TEXT: Record<string, LogLevel> = {
  trace: 'trace',
  silly: 'trace',
  debug: 'debug',
  verbose: 'debug',
  http: 'debug',
  info: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  fatal: 'fatal',
  critical: 'fatal',
};
const LEVELS_BY_NUMBER: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** RFC 3339 time (VictoriaLogs writes up to nanoseconds) in microseconds since the epoch. */
export function rfc3339Micros(time: string): number {
  const match = /^(.+?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/i.exec(time);
  if (!match) return Number.NaN;
  return Date.parse(`${match[1]}${match[3]}`) * 1000 + Number((match[2] ?? '').padEnd(6, '0').slice(0, 6));
}

function levelOf(record: VictoriaLogsRecord): LogLevel {
  const number = Number(record.severity_number);
  if (Number.isInteger(number) && number >= 1 && number <= 24) return LEVELS_BY_NUMBER[Math.floor((number - 1) / 4)];
  return LEVEL_BY_TEXT[(record.severity_text ?? '').toLowerCase()] ?? 'info';
}

/** One VictoriaLogs record as a LogLine: ids lower case, the record's own attributes as fields. */
export function mapLogRecord(record: VictoriaLogsRecord): LogLine {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(record).sort())
    if (!LINE_FIELDS.has(key) && !RESOURCE_ATTRIBUTES.has(key) && !RESOURCE_PREFIXES.some((prefix) => key.startsWith(prefix)))
      fields[key] = String(record[key]);
  const line: LogLine = {
    traceId: (record.trace_id ?? '').toLowerCase(),
    timeMicros: rfc3339Micros(record._time ?? ''),
    service: record['service.name'] ?? 'unknown',
    severity: record.severity_text || levelOf(record),
    level: levelOf(record),
    message: record._msg ?? '',
    fields,
  };
  if (record.span_id) line.spanId = record.span_id.toLowerCase();
  return line;
}

/** The query the trace view makes; `fetch` is the global one unless a test passes its own. */
export class VictoriaLogsClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string = DEFAULT_VICTORIALOGS_URL,
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The records a LogsQL query selects, in the order its pipes give (throws when VictoriaLogs cannot answer it). */
  async query(logsql: string): Promise<VictoriaLogsRecord[]> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}/select/logsql/query`, {
        method: 'POST',
        body: new URLSearchParams({ query: logsql }),
        signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError')
        throw new Error(`VictoriaLogs at ${this.baseUrl} did not answer within ${QUERY_TIMEOUT_MS / 1000} s`, { cause: error });
      throw unreachableError('VictoriaLogs', this.baseUrl, error);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`VictoriaLogs at ${this.baseUrl} answered ${response.status}: ${text.trim().slice(0, 200)}`);
    return text
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as VictoriaLogsRecord);
  }
}
