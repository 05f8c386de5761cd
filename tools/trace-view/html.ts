import { logFieldsText, logOffset, logsNote } from './log-text';
import type { LogLine, TraceSpan, Transaction } from './types';
import { axisPosition, buildWaterfall, formatMs, shortId, type LinkEnd, type WaterfallRow, type WaterfallTrace } from './waterfall';

export interface HtmlOptions {
  /** The page's title and heading (default: "Transaction <root trace id>"). */
  title?: string;
}

/** Colours per service, in order of first appearance; red is kept for errors. */
const SERVICE_COLORS = ['#2563eb', '#9333ea', '#0d9488', '#d97706', '#db2777', '#65a30d', '#0891b2', '#7c3aed', '#a16207', '#475569'];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text and attribute values, escaped for HTML. */
export const escapeHtml = (value: unknown): string => String(value).replace(/[&<>"']/g, (ch) => ESCAPES[ch]);

const percent = (fraction: number) => `${(fraction * 100).toFixed(3)}%`;

const CSS = `
:root { color-scheme: light; --line: #e5e7eb; --muted: #6b7280; --error: #dc2626; }
* { box-sizing: border-box; }
body { margin: 0; padding: 16px 24px 48px; font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #111827; background: #fff; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
h1 { font-size: 18px; margin: 0 0 2px; }
.summary { color: var(--muted); margin: 0 0 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 6px 0 10px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; background: var(--c); }
nav.traces ol { margin: 0; padding-left: 20px; }
nav.traces a { color: #1d4ed8; text-decoration: none; }
nav.traces a:hover, .notes a:hover { text-decoration: underline; }
section.trace { margin-top: 18px; border-top: 2px solid var(--line); padding-top: 8px; }
section.trace:target { border-top-color: #f59e0b; }
section.trace h2 { font-size: 15px; margin: 0; display: flex; align-items: center; gap: 8px; }
section.trace h2 a { color: inherit; text-decoration: none; }
.badge { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 8px; background: #e0e7ff; color: #3730a3; }
.badge.linked { background: #f3f4f6; color: #374151; }
.meta { color: var(--muted); margin: 2px 0 6px; }
.line { display: grid; grid-template-columns: var(--svc-w) minmax(160px, 440px) 64px minmax(240px, 1fr) 78px 14px; column-gap: 8px; align-items: center; min-height: 20px; }
.axis { color: var(--muted); border-bottom: 1px solid var(--line); }
.axis > span { font-size: 11px; }
.ticks { position: relative; height: 16px; }
.ticks span { position: absolute; top: 0; transform: translateX(-50%); white-space: nowrap; }
.ticks span:first-child { transform: none; }
.ticks span:last-child { transform: translateX(-100%); }
.span { border-bottom: 1px solid #f3f4f6; scroll-margin-top: 40vh; }
.span:hover { background: #f9fafb; }
.span:target { background: #fef3c7; outline: 2px solid #f59e0b; outline-offset: -1px; }
.svc { color: var(--c); font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-left: 4px solid var(--c); padding-left: 6px; }
.name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding-left: calc(var(--depth) * 14px); }
.kind { color: var(--muted); font-size: 11px; }
.kind-producer .kind, .kind-consumer .kind { color: #92400e; font-weight: 600; }
.kind-producer .name, .kind-consumer .name { font-weight: 600; }
.track { position: relative; height: 12px; background: linear-gradient(to right, var(--line) 1px, transparent 1px) 0 0 / 25% 100%; }
.bar { position: absolute; top: 1px; bottom: 1px; min-width: 2px; border-radius: 2px; background: var(--c); }
.dur { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.mark { color: var(--error); font-weight: 700; }
.span.error .name { color: #b91c1c; }
.span.error .bar { background: repeating-linear-gradient(135deg, var(--error) 0 4px, #f87171 4px 8px); }
.notes { padding: 0 0 3px calc(var(--svc-w) + 8px + var(--depth) * 14px); }
.notes div { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; } /* (--svc-w is in ch: keep .notes at the rows' font size) */
.notes .err { color: #b91c1c; }
.notes a { color: #1d4ed8; text-decoration: none; }
.notes .missing { color: var(--muted); }
.ref { color: var(--muted); }
.log { color: #374151; }
.log .at { color: var(--muted); font-variant-numeric: tabular-nums; }
.log .sev { display: inline-block; min-width: 6ch; font-weight: 600; color: var(--muted); }
.log .where, .log .fields { color: var(--muted); }
.log.lvl-info .sev { color: #15803d; }
.log.lvl-warn .sev { color: #b45309; }
.log.lvl-error .sev, .log.lvl-fatal .sev, .log.lvl-error .msg, .log.lvl-fatal .msg { color: var(--error); }
.trace-logs { padding: 4px 0 3px; }
.trace-logs div { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.trace-logs .title { color: var(--muted); }
.summary.logs-warning { color: #b45309; }
footer { margin-top: 24px; color: var(--muted); font-size: 11px; }
`;

/**
 * The transaction as one self-contained HTML page (inline CSS, no script, no external assets): a
 * section per trace (id `trace-<trace id>`), a row per span (id = span id) with service, name,
 * kind, a bar on the time axis shared by every trace and the duration; error spans in red with
 * their message; links as in-page anchors to the linked span's row, both ways; log lines under
 * their span's row (lines of no span in view under their trace), styled by severity.
 */
export function renderHtml(transaction: Transaction, options: HtmlOptions = {}): string {
  const waterfall = buildWaterfall(transaction);
  const title = options.title ?? `Transaction ${transaction.rootTraceId}`;
  const color = (service: string) => SERVICE_COLORS[waterfall.services.indexOf(service) % SERVICE_COLORS.length];
  const total = waterfall.endMicros - waterfall.startMicros;
  // The service column fits the longest service name (bold), within reason.
  const serviceWidth = `calc(${Math.min(28, Math.max(8, ...waterfall.services.map((s) => s.length)))}ch + 14px)`;

  // Element ids: the span id, unless two spans of the view share one (then trace id + span id).
  const anchors = new Map<string, string>();
  const used = new Set<string>();
  for (const trace of waterfall.traces)
    for (const { span } of trace.rows) {
      const id = used.has(span.spanId) ? `${trace.traceId}-${span.spanId}` : span.spanId;
      used.add(id);
      anchors.set(`${trace.traceId}/${span.spanId}`, id);
    }
  const anchorOf = (end: { traceId: string; spanId: string }) => anchors.get(`${end.traceId}/${end.spanId}`);

  const linkNote = (arrow: string, end: LinkEnd, fromTraceId: string) => {
    const anchor = anchorOf(end);
    if (!end.span || !anchor)
      return `<div class="link missing">${arrow} <code>${escapeHtml(shortId(end.traceId))}</code>/span <code>${escapeHtml(shortId(end.spanId))}</code> (trace not in view)</div>`;
    const where =
      end.traceId === fromTraceId
        ? `<span class="ref">(this trace)</span>`
        : `<span class="ref">[${end.traceNumber}] ${escapeHtml(end.span.service)}</span>`;
    const trace = end.traceId === fromTraceId ? '' : `<code>${escapeHtml(shortId(end.traceId))}</code>/`;
    return `<div class="link"><a href="#${escapeHtml(anchor)}">${arrow} ${trace}${escapeHtml(end.span.name)}</a> ${where}</div>`;
  };

  /** A log line: offset, severity, message, fields (all of them in its title); lines outside the view's spans also name their service (and span). */
  const logNote = (line: LogLine, outsideSpans = false) => {
    const fields = logFieldsText(line);
    const where = outsideSpans
      ? `<span class="where">${escapeHtml(line.service)}${line.spanId ? ` (span <code>${escapeHtml(shortId(line.spanId))}</code>, not in view)` : ''}:</span> `
      : '';
    const title = [
      `${line.service} · ${line.severity} · ${line.message}`,
      `span ${line.spanId ?? '(none)'}`,
      ...Object.entries(line.fields).map(([key, value]) => `${key} = ${value}`),
    ];
    return (
      `<div class="log lvl-${escapeHtml(line.level)}" title="${escapeHtml(title.join('\n'))}">` +
      `<span class="at">${escapeHtml(logOffset(line, waterfall.startMicros))}</span> <span class="sev">${escapeHtml(line.severity)}</span> ${where}` +
      `<span class="msg">${escapeHtml(line.message)}</span>${fields ? ` <span class="fields">${escapeHtml(fields)}</span>` : ''}</div>`
    );
  };

  const tooltip = (row: WaterfallRow) => {
    const { span } = row;
    const lines = [
      `${span.service} · ${span.name}`,
      `span ${span.spanId}${span.parentSpanId ? ` · parent ${span.parentSpanId}${row.parentMissing ? ' (not in this trace)' : ''}` : ''}`,
      `${span.kind} · starts at +${formatMs(span.startMicros - waterfall.startMicros)} · lasts ${formatMs(span.durationMicros)}`,
      ...(span.error ? [`error: ${span.errorMessage ?? 'error'}`] : []),
      ...Object.keys(span.attributes)
        .sort()
        .map((key) => `${key} = ${span.attributes[key]}`),
    ];
    return lines.join('\n');
  };

  const spanRow = (trace: WaterfallTrace, row: WaterfallRow) => {
    const span: TraceSpan = row.span;
    const { offset, length } = axisPosition(waterfall, span);
    const notes = [
      ...(span.error ? [`<div class="err">✗ ${escapeHtml(span.errorMessage ?? 'error')}</div>`] : []),
      ...row.linksTo.map((end) => linkNote('↪ links to', end, trace.traceId)),
      ...row.linkedFrom.map((end) => linkNote('↩ linked from', end, trace.traceId)),
      ...row.logs.map((line) => logNote(line)),
    ];
    const classes = [
      'span',
      `kind-${span.kind}`,
      ...(span.error ? ['error'] : []),
      ...(row.linksTo.length || row.linkedFrom.length ? ['has-links'] : []),
      ...(row.logs.length ? ['has-logs'] : []),
    ];
    return (
      `<div class="${classes.join(' ')}" id="${escapeHtml(anchorOf(span)!)}" data-trace-id="${escapeHtml(trace.traceId)}" data-service="${escapeHtml(span.service)}" style="--c:${color(span.service)};--depth:${Math.min(row.depth, 24)}">` +
      `<div class="line" title="${escapeHtml(tooltip(row))}">` +
      `<span class="svc">${escapeHtml(span.service)}</span>` +
      `<span class="name">${escapeHtml(span.name)}</span>` +
      `<span class="kind">${escapeHtml(span.kind)}</span>` +
      `<span class="track"><span class="bar" style="left:${percent(offset)};width:${percent(length)}"></span></span>` +
      `<span class="dur">${escapeHtml(formatMs(span.durationMicros))}</span>` +
      `<span class="mark">${span.error ? '✗' : ''}</span>` +
      `</div>` +
      (notes.length ? `<div class="notes">${notes.join('')}</div>` : '') +
      `</div>`
    );
  };

  const axis = () => {
    const ticks = [0, 0.25, 0.5, 0.75, 1]
      .map((at) => `<span style="left:${percent(at)}">${escapeHtml(formatMs(total * at))}</span>`)
      .join('');
    return `<div class="line axis"><span>service</span><span>span</span><span>kind</span><span class="ticks">${ticks}</span><span class="dur">duration</span><span></span></div>`;
  };

  const section = (trace: WaterfallTrace) =>
    `<section class="trace" id="trace-${escapeHtml(trace.traceId)}">` +
    `<h2><a href="#trace-${escapeHtml(trace.traceId)}">[${trace.number}]</a> trace <code>${escapeHtml(trace.traceId)}</code>` +
    `<span class="badge ${trace.isRoot ? 'root' : 'linked'}">${trace.isRoot ? 'root' : 'linked'}</span></h2>` +
    `<p class="meta">${trace.rows.length} span${trace.rows.length === 1 ? '' : 's'} · services: ${trace.services.map(escapeHtml).join(', ')} · starts at +${escapeHtml(formatMs(trace.startMicros - waterfall.startMicros))}, lasts ${escapeHtml(formatMs(trace.endMicros - trace.startMicros))}</p>` +
    `<div class="waterfall">${axis()}${trace.rows.map((row) => spanRow(trace, row)).join('\n')}</div>` +
    (trace.logsOutsideSpans.length
      ? `<div class="trace-logs"><div class="title">log lines of this trace outside its spans in view</div>${trace.logsOutsideSpans.map((line) => logNote(line, true)).join('')}</div>`
      : '') +
    `</section>`;

  // The note about the logs, with the query that reads them all (in VictoriaLogs' UI) once the store answered.
  const { logs } = transaction;
  const logsSummary = logsNote(logs);
  const logsQuery = logs && !logs.error ? ` · LogsQL: <code>${escapeHtml(logs.query)}</code>` : '';
  const logsParagraph = logsSummary
    ? `<p class="summary logs${logsSummary.warning ? ' logs-warning' : ''}">${escapeHtml(logsSummary.text)}${logsQuery}</p>\n`
    : '';

  const legend = waterfall.services
    .map((service) => `<li><span class="swatch" style="--c:${color(service)}"></span>${escapeHtml(service)}</li>`)
    .join('');
  const nav = waterfall.traces
    .map(
      (trace) =>
        `<li><a href="#trace-${escapeHtml(trace.traceId)}"><code>${escapeHtml(shortId(trace.traceId))}</code> ${trace.isRoot ? 'root' : 'linked'}</a> · ${trace.rows.length} span${trace.rows.length === 1 ? '' : 's'} · ${trace.services.map(escapeHtml).join(', ')}</li>`,
    )
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body style="--svc-w:${serviceWidth}">
<header>
<h1>${escapeHtml(title)}</h1>
<p class="summary">root trace <code>${escapeHtml(transaction.rootTraceId)}</code> · ${waterfall.traces.length} trace${waterfall.traces.length === 1 ? '' : 's'} · ${waterfall.spanCount} spans · ${escapeHtml(formatMs(total))}</p>
${logsParagraph}<ul class="legend" aria-label="services">${legend}</ul>
<nav class="traces" aria-label="traces"><ol>${nav}</ol></nav>
</header>
<main>
${waterfall.traces.map(section).join('\n')}
</main>
<footer>tracehop trace view · bars share one time axis across every trace · ↪ a span's links, ↩ spans linking to it (click to jump)</footer>
</body>
</html>
`;
}
