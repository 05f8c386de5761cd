import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ATTR_DB_QUERY_TEXT, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { ATTR_USER_ID } from '@opentelemetry/semantic-conventions/incubating';
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import ms from 'ms';
import { durationOption } from '../cli/duration-option';
import { fetchTransaction, renderHtml } from '../trace-view/index';
import { DEFAULT_JAEGER_URL, JaegerClient } from '../trace-view/jaeger';
import { bucketOf, computeDependencies, DEFAULT_SEARCH_URL, mergeEdges, type Edge } from './dependencies';
import { findTraces, type TraceQuery } from './find-traces';
import type { TraceSummary } from './summary';

interface CliOptions {
  service: string[];
  operation?: string;
  minDuration?: string;
  maxDuration?: string;
  error: boolean;
  errorMessage?: string;
  tag: Record<string, string>;
  user?: string;
  status?: string;
  dbOperation?: string;
  since: number;
  start?: number;
  end?: number;
  limit: number;
  html?: string;
  json: boolean;
  deps: boolean;
  jaeger: string;
  search: string;
}

/** Jaeger parses durations as Go does; accept what both it and a reader agree on. */
const GO_DURATION = /^\d+(\.\d+)?(us|µs|ms|s|m|h)$/;
const goDuration = (value: string) => {
  if (!GO_DURATION.test(value)) throw new InvalidArgumentError('expected a duration such as 250ms, 1.5s or 2m');
  return value;
};
const instant = (value: string) => {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) throw new InvalidArgumentError('expected a date and time, e.g. 2026-12-05T10:00:00Z');
  return millis;
};
const positiveInteger = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive integer');
  return number;
};
const keyValue = (value: string, previous: Record<string, string>) => {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError('expected key=value, e.g. http.response.status_code=503');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
};
const collect = (value: string, previous: string[]) => [...previous, value];
/** Jaeger on OpenSearch matches tag values as whole-value regular expressions: a message is searched as a substring. */
const escaped = (text: string) => text.replace(/[.?+*|{}[\]()"\\#@&<>~]/g, '\\$&');
const containing = (text: string) => `.*${escaped(text)}.*`;
/**
 * instrumentation-pg sets no db.operation.name (the semantic conventions forbid parsing it out of
 * the statement), so an operation is the statement's first word, in any case: `[sS][eE][lL]…`.
 */
const statementStartingWith = (operation: string) =>
  `[ \t\n]*${[...operation].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : escaped(c))).join('')}([ \t\n(;].*)?`;

const formatMillis = (micros: number) =>
  micros >= 1_000_000 ? `${(micros / 1_000_000).toFixed(2)} s` : `${(micros / 1000).toFixed(1)} ms`;

function tracesTable(traces: TraceSummary[], views: Map<string, string>): string {
  const table = new Table({
    head: ['trace id', 'started (UTC)', 'root', 'services', 'spans', 'duration', 'errors', ...(views.size ? ['view'] : [])],
    style: { head: [], border: [], compact: true },
  });
  for (const trace of traces)
    table.push([
      trace.traceId,
      new Date(trace.startMicros / 1000).toISOString().slice(0, 23).replace('T', ' '),
      `${trace.root.service}: ${trace.root.name}`,
      trace.services.join(', '),
      trace.spans,
      formatMillis(trace.durationMicros),
      trace.errors,
      ...(views.size ? [views.get(trace.traceId) ?? ''] : []),
    ]);
  return table.toString();
}

function dependencyTable(edges: Edge[]): string {
  const table = new Table({ head: ['caller', 'callee', 'calls', 'via'], style: { head: [], border: [], compact: true } });
  for (const edge of edges) table.push([edge.parent, edge.child, edge.callCount, edge.via.join(', ')]);
  return table.toString();
}

async function listTraces(options: CliOptions, window: { startMillis: number; endMillis: number }): Promise<void> {
  const jaeger = new JaegerClient(options.jaeger);
  const tags: Record<string, string> = { ...options.tag };
  if (options.error) tags.error = 'true';
  if (options.errorMessage) tags['otel.status_description'] = containing(options.errorMessage);
  if (options.user) tags[ATTR_USER_ID] = options.user;
  if (options.status) tags[ATTR_HTTP_RESPONSE_STATUS_CODE] = options.status;
  if (options.dbOperation) tags[ATTR_DB_QUERY_TEXT] = statementStartingWith(options.dbOperation);
  const query: TraceQuery = {
    services: options.service,
    operation: options.operation,
    minDuration: options.minDuration,
    maxDuration: options.maxDuration,
    tags,
    startMicros: window.startMillis * 1000,
    endMicros: window.endMillis * 1000,
    limit: options.limit,
  };
  const traces = await findTraces(jaeger, query);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(traces, null, 2)}\n`);
    return;
  }
  const views = new Map<string, string>();
  if (options.html) {
    const folder = resolve(options.html);
    mkdirSync(folder, { recursive: true });
    for (const trace of traces) {
      const file = join(folder, `${trace.traceId}.html`);
      writeFileSync(file, renderHtml(await fetchTransaction(trace.traceId, { jaegerUrl: options.jaeger, logs: {} })));
      views.set(trace.traceId, pathToFileURL(file).href);
    }
  }
  if (!traces.length) {
    process.stdout.write('no trace matches\n');
    return;
  }
  process.stdout.write(`${tracesTable(traces, views)}\n`);
  process.stdout.write(
    `${traces.length} trace${traces.length === 1 ? '' : 's'}, newest first. One across its async hops: npm run trace -- <trace id> [--html view.html]\n`,
  );
}

async function printDependencies(options: CliOptions, window: { startMillis: number; endMillis: number }): Promise<void> {
  const computed = await computeDependencies(options.search, window.startMillis, window.endMillis);
  // What Jaeger's API serves, annotated with how each call crossed (Jaeger's documents have no field for it).
  // Each bucket's document is stamped with the bucket's start: ask from the first bucket's.
  const served = await new JaegerClient(options.jaeger).dependencies(window.endMillis, window.endMillis - bucketOf(window.startMillis));
  const via = new Map(computed.map((edge) => [`${edge.parent}\u0000${edge.child}`, edge.via]));
  const edges = mergeEdges(served.map((link) => ({ ...link, via: via.get(`${link.parent}\u0000${link.child}`) ?? [] })));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(edges, null, 2)}\n`);
    return;
  }
  process.stdout.write(edges.length ? `${dependencyTable(edges)}\n` : 'no calls between services in this window\n');
}

const program = new Command('traces')
  .description('Find traces in Jaeger (any mix of the filters below), or print the service dependency map (--deps)')
  .option('-s, --service <name>', 'spans of this service (repeatable; default: every service)', collect, [])
  .option('-o, --operation <name>', 'span name, e.g. "POST /orders" or "process orders.order-created.v1"')
  .option('--min-duration <d>', 'a span lasting at least this long (250ms, 1.5s)', goDuration)
  .option('--max-duration <d>', 'a span lasting at most this long', goDuration)
  .option('-e, --error', 'a span with status ERROR', false)
  .option('--error-message <text>', 'an error span whose status message contains this text')
  .option('-t, --tag <key=value>', 'a span attribute (repeatable; the value is a whole-value regular expression)', keyValue, {})
  .option('--user <id>', 'shorthand for --tag user.id=<id>')
  .option('--status <code>', 'shorthand for --tag http.response.status_code=<code>')
  .option('--db-operation <name>', 'a database span whose statement is this operation (SELECT, INSERT, …; any case)')
  .option('--since <d>', 'look back this far from --end (15m, 2h, 1d)', durationOption, ms('1h'))
  .option('--start <time>', 'window start (ISO 8601); overrides --since', instant)
  .option('--end <time>', 'window end (ISO 8601; default: now)', instant)
  .addOption(new Option('-n, --limit <n>', 'at most this many traces').argParser(positiveInteger).default(20))
  .option('--html <folder>', 'also write each listed trace as an HTML trace view there, linked from the table')
  .option('--json', 'JSON instead of a table', false)
  .option('--deps', 'the service dependency map of the window (HTTP and Kafka edges) from Jaeger’s dependencies API', false)
  .option('--jaeger <url>', "Jaeger's query endpoint", DEFAULT_JAEGER_URL)
  .option('--search <url>', 'OpenSearch, where --deps writes the dependency documents Jaeger serves', DEFAULT_SEARCH_URL)
  .showHelpAfterError()
  .action(async (options: CliOptions) => {
    const endMillis = options.end ?? Date.now();
    const startMillis = options.start ?? endMillis - options.since;
    if (startMillis >= endMillis) throw new InvalidArgumentError('the window is empty: --start must be before --end');
    const window = { startMillis, endMillis };
    await (options.deps ? printDependencies(options, window) : listTraces(options, window));
  });

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`traces: ${error.message}\n`);
  process.exitCode = 1;
});
