import { styleText } from 'node:util';
import { logFieldsText, logOffset, logsNote } from './log-text';
import type { LogLevel, LogLine, Transaction } from './types';
import { axisPosition, buildWaterfall, formatMs, shortId, type LinkEnd, type WaterfallRow, type WaterfallTrace } from './waterfall';

export interface TerminalOptions {
  /** Line width in characters (default: the terminal's, else 120; at least 60). */
  width?: number;
  /** ANSI colours (default: when stdout is a TTY and NO_COLOR is not set). */
  color?: boolean;
}

type Style = Parameters<typeof styleText>[0];
const SERVICE_COLORS: Style[] = [
  'cyan',
  'magenta',
  'yellow',
  'blue',
  'green',
  'cyanBright',
  'magentaBright',
  'yellowBright',
  'blueBright',
  'greenBright',
];
const LEVEL_STYLES: Record<LogLevel, Style> = {
  trace: 'dim',
  debug: 'dim',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'red',
};
/** Severity column of a log line: `error` and `debug` fit, longer texts are cut. */
const SEVERITY_WIDTH = 5;
const KIND_WIDTH = 8;
const DURATION_WIDTH = 10;
const MARK_WIDTH = 2;
const INDENT = 2;

const clamp = (value: number, min: number, max: number) => Math.max(min, Math.min(max, value));
/** Cut to `width` characters (… marks the cut), or pad. */
const fit = (text: string, width: number) =>
  [...text].length > width ? [...text].slice(0, Math.max(0, width - 1)).join('') + '…' : text.padEnd(width);
/** Span data comes from the wire: no control characters (line breaks, ANSI escapes) reach the terminal. */
// eslint-disable-next-line no-control-regex -- control characters are what this removes
const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
const cut = (text: string, width: number) => ([...text].length > width ? [...text].slice(0, Math.max(0, width - 1)).join('') + '…' : text);

function defaultColor(): boolean {
  return Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined && process.env.NODE_DISABLE_COLORS === undefined;
}

/** Where a link goes (or comes from), so a reader can find it: `<trace>/<span name> [n] service`. */
function describeLinkEnd(end: LinkEnd, fromTraceId: string): string {
  if (!end.span) return `${shortId(end.traceId)}/span ${shortId(end.spanId)} (trace not in view)`;
  if (end.traceId === fromTraceId) return `${end.span.name} (this trace, span ${shortId(end.spanId)})`;
  return `${shortId(end.traceId)}/${end.span.name} [${end.traceNumber}] ${end.span.service}`;
}

/**
 * The transaction as text: per trace (root first, then linked traces by start) a header and a
 * waterfall of its spans in tree order, each bar on one time axis shared by every trace, with
 * `↪ links to` / `↩ linked from` lines naming the trace (short id and [number]) at the other end,
 * and the span's log lines (`• +offset severity message fields`) when the transaction has logs.
 */
export function renderTerminal(transaction: Transaction, options: TerminalOptions = {}): string {
  const waterfall = buildWaterfall(transaction);
  const width = Math.max(60, Math.floor(options.width ?? process.stdout.columns ?? 120));
  const color = options.color ?? defaultColor();
  const paint = (style: Style, text: string) => (color && text ? styleText(style, text, { validateStream: false }) : text);
  const serviceStyle = (service: string) => SERVICE_COLORS[waterfall.services.indexOf(service) % SERVICE_COLORS.length];

  const rows = waterfall.traces.flatMap((trace) => trace.rows);
  const serviceWidth = clamp(Math.max(0, ...rows.map((row) => row.span.service.length)), 7, 20);
  const maxIndent = (depth: number) => Math.min(depth, 12) * INDENT;
  let nameWidth = clamp(
    Math.max(0, ...rows.map((row) => maxIndent(row.depth) + row.span.name.length)),
    16,
    Math.max(16, Math.min(56, Math.floor(width * 0.36))),
  );
  const fixed = () => serviceWidth + nameWidth + KIND_WIDTH + DURATION_WIDTH + MARK_WIDTH + 5;
  if (width - fixed() < 16) nameWidth = Math.max(16, nameWidth - (16 - (width - fixed())));
  const barWidth = Math.max(8, width - fixed());
  const barColumn = serviceWidth + nameWidth + KIND_WIDTH + 3;

  const out: string[] = [];
  const total = waterfall.endMicros - waterfall.startMicros;
  out.push(
    paint('bold', cut(`Transaction ${waterfall.rootTraceId}`, width)),
    cut(
      `${waterfall.traces.length} trace${waterfall.traces.length === 1 ? '' : 's'} · ${waterfall.spanCount} spans · ${formatMs(total)} · services: ${clean(waterfall.services.join(', '))}`,
      width,
    ),
  );
  const logsSummary = logsNote(transaction.logs);
  if (logsSummary) out.push(paint(logsSummary.warning ? 'yellow' : 'dim', cut(clean(logsSummary.text), width)));

  /** Text parts, each in its style (or none), cut together to `room` characters. */
  const paintParts = (parts: [Style | undefined, string][], room: number) => {
    const rest = [...cut(parts.map(([, text]) => clean(text)).join(''), room)];
    return parts
      .map(([style, text]) => {
        const piece = rest.splice(0, [...clean(text)].length).join('');
        return style ? paint(style, piece) : piece;
      })
      .join('');
  };
  /** `• +3.61 ms info  order placed  order_id=…`; lines outside the view's spans also name their service (and span). */
  const logLine = (line: LogLine, room: number, outsideSpans = false) => {
    const severityStyle = LEVEL_STYLES[line.level];
    const error = line.level === 'error' || line.level === 'fatal';
    const where = outsideSpans ? `${line.service}${line.spanId ? ` (span ${shortId(line.spanId)}, not in view)` : ''}: ` : '';
    const fields = logFieldsText(line);
    return paintParts(
      [
        ['dim', `• ${logOffset(line, waterfall.startMicros)} `],
        [severityStyle, `${fit(line.severity, SEVERITY_WIDTH)} `],
        [outsideSpans ? 'dim' : undefined, where],
        [error ? 'red' : undefined, line.message],
        ['dim', fields ? `  ${fields}` : ''],
      ],
      room,
    );
  };

  const bar = (row: WaterfallRow) => {
    const { offset, length } = axisPosition(waterfall, row.span);
    const from = Math.min(barWidth - 1, Math.floor(offset * barWidth));
    const size = clamp(Math.round(length * barWidth), 1, barWidth - from);
    const filled = '█'.repeat(size);
    return ' '.repeat(from) + paint(row.span.error ? 'red' : serviceStyle(row.span.service), filled) + ' '.repeat(barWidth - from - size);
  };

  const ruler = () => {
    const left = '0 ms';
    const right = formatMs(total);
    const middle = formatMs(total / 2);
    const line = [...' '.repeat(barWidth)];
    const place = (text: string, at: number) => [...text].forEach((ch, i) => at + i < barWidth && at + i >= 0 && (line[at + i] = ch));
    place(left, 0);
    if (barWidth >= left.length + middle.length + right.length + 4) place(middle, Math.floor(barWidth / 2 - middle.length / 2));
    place(right, barWidth - right.length);
    return paint('dim', `${' '.repeat(barColumn)}│${line.join('')}│`);
  };

  const traceSection = (trace: WaterfallTrace) => {
    out.push('');
    const title = `━━ [${trace.number}] trace ${trace.traceId}${trace.isRoot ? ' (root)' : ' (linked)'} `;
    out.push(paint('bold', title + '━'.repeat(Math.max(2, width - [...title].length))));
    out.push(
      cut(
        `   ${trace.rows.length} span${trace.rows.length === 1 ? '' : 's'} · services: ${clean(trace.services.join(', '))} · starts at +${formatMs(trace.startMicros - waterfall.startMicros)}, lasts ${formatMs(trace.endMicros - trace.startMicros)}`,
        width,
      ),
    );
    out.push(ruler());
    for (const row of trace.rows) {
      const { span } = row;
      const indent = ' '.repeat(maxIndent(row.depth));
      const service = paint(serviceStyle(span.service), fit(clean(span.service), serviceWidth));
      const name = fit(indent + clean(span.name), nameWidth);
      const kind = paint('dim', fit(span.kind, KIND_WIDTH));
      const duration = formatMs(span.durationMicros).padStart(DURATION_WIDTH);
      const mark = span.error ? paint('red', ' ✗') : '  ';
      out.push(`${service} ${span.error ? paint('red', name) : name} ${kind} │${bar(row)}│${duration}${mark}`);
      const notePrefix = ' '.repeat(serviceWidth + 1) + indent + '  ';
      const note = (style: Style, text: string) =>
        out.push(notePrefix + paint(style, cut(clean(text), Math.max(20, width - notePrefix.length))));
      if (span.error) note('red', `✗ ${span.errorMessage ?? 'error'}`);
      for (const end of row.linksTo) note('blue', `↪ links to ${describeLinkEnd(end, trace.traceId)}`);
      for (const end of row.linkedFrom) note('blue', `↩ linked from ${describeLinkEnd(end, trace.traceId)}`);
      for (const line of row.logs) out.push(notePrefix + logLine(line, Math.max(20, width - notePrefix.length)));
    }
    if (trace.logsOutsideSpans.length) {
      out.push(paint('dim', `   log lines of this trace outside its spans in view:`));
      for (const line of trace.logsOutsideSpans) out.push('   ' + logLine(line, width - 3, true));
    }
  };
  waterfall.traces.forEach(traceSection);
  return out.map((line) => line.trimEnd()).join('\n') + '\n';
}
