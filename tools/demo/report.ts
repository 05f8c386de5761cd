import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { styleText } from 'node:util';
import { loadManifest } from '../../infra/stack/src/manifest';
import { repoRoot } from '../../infra/stack/src/paths';
import { renderHtml, renderTerminal, type Transaction } from '../trace-view';
import type { DemoStep } from './scenario';

const { ports } = loadManifest();
const JAEGER = `http://127.0.0.1:${ports.JAEGER_QUERY_PORT}`;
const VICTORIALOGS = `http://127.0.0.1:${ports.VICTORIALOGS_HTTP_PORT}`;
const PROMETHEUS = `http://127.0.0.1:${ports.PROMETHEUS_PORT}`;

const color = process.stdout.isTTY === true;
const bold = (text: string) => (color ? styleText('bold', text) : text);
const dim = (text: string) => (color ? styleText('dim', text) : text);

/** Writes the step's HTML trace view and returns what the terminal shows: outcome, waterfall, where to look. */
export function reportStep(index: number, step: DemoStep, transaction: Transaction, outputDir: string): string {
  const slug = step.title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const html = join(outputDir, `${index}-${slug}.html`);
  writeFileSync(html, renderHtml(transaction, { title: `${index}. ${step.title}` }));
  const spanCount = transaction.traces.reduce((sum, trace) => sum + trace.spans.length, 0);
  const linked = transaction.traces.length - 1;
  // Every service's records of this trace; the UI link opens the same LogsQL query over the last hour.
  const logsql = `trace_id:="${step.traceId}"`;
  const logsUi = `${VICTORIALOGS}/select/vmui/#/?query=${encodeURIComponent(logsql)}&g0.relative_time=last_1_hour`;
  return [
    '',
    bold(`━━ ${index}. ${step.title} ${'━'.repeat(Math.max(3, 72 - step.title.length))}`),
    step.outcome,
    `trace ${bold(step.traceId)} — ${spanCount} spans${linked ? `, ${linked} linked trace${linked > 1 ? 's' : ''}` : ''}`,
    '',
    // Not a terminal (a log, CI): wide enough that no span name is cut.
    renderTerminal(transaction, { color, width: process.stdout.columns ?? 200 }),
    '',
    bold('Where to look'),
    `  Jaeger API  ${JAEGER}/api/traces/${step.traceId}`,
    `  Trace view  ${html.startsWith(repoRoot) ? relative(repoRoot, html) : html}   ${dim(`(npm run trace -- ${step.traceId})`)}`,
    `  Logs        ${logsUi}`,
    dim(`              LogsQL ${logsql}: curl -s ${VICTORIALOGS}/select/logsql/query --data-urlencode 'query=${logsql}'`),
    `  Prometheus  ${step.promql}`,
    dim(`              ${PROMETHEUS}/graph?g0.expr=${encodeURIComponent(step.promql)}`),
    dim(`  (Jaeger's own UI: the compose path, ${JAEGER}/trace/${step.traceId})`),
  ].join('\n');
}
