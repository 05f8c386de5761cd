import { renderHtml, renderTerminal, type Transaction, type TransactionLogs } from '../../tools/trace-view/index';
import { readTransactionLogs, transactionLogsFilter } from '../../tools/trace-view/transaction-logs';
import { mapLogRecord, rfc3339Micros, VictoriaLogsClient, type VictoriaLogsRecord } from '../../tools/trace-view/victorialogs';
import { buildWaterfall } from '../../tools/trace-view/waterfall';
import { LINKED, ROOT, spans, transaction } from './fixtures/transaction';
import fixture from './fixtures/victorialogs-records.json';
import { spanRowHtml } from './span-row-html';

/**
 * Log lines in the trace view: VictoriaLogs records (real ones from the services, moved onto the
 * fixture transaction's ids and times: an `order placed` in POST /orders, a hostile error line in
 * `charge payment`, an `order cancelled` in the linked trace, a line whose span is not in the view and
 * one logged outside any span) mapped to LogLines, read from a fake VictoriaLogs, placed under their
 * spans and rendered by both views.
 */
const T0 = spans.post.startMicros;
const WIDTH = 140;
const URL_BASE = 'http://fake-victorialogs:9428';
const records = () => structuredClone(fixture) as unknown as VictoriaLogsRecord[];
const logsOf = (lines = records().map(mapLogRecord), more: Partial<TransactionLogs> = {}): TransactionLogs => ({
  query: transactionLogsFilter(transaction.traces),
  lines,
  limit: 500,
  limitReached: false,
  ...more,
});
const withLogs = (logs: TransactionLogs = logsOf()): Transaction => ({ ...transaction, logs });
const byMessage = (message: string) =>
  records()
    .map(mapLogRecord)
    .find((line) => line.message.startsWith(message))!;

/** VictoriaLogs' query endpoint answering with these records (one JSON object per line), recording the queries. */
function fakeVictoriaLogs(answer: VictoriaLogsRecord[] | Response | Error) {
  const queries: string[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    expect(String(input)).toBe(`${URL_BASE}/select/logsql/query`);
    queries.push(new URLSearchParams(String(init?.body)).get('query')!);
    if (answer instanceof Error) throw answer;
    if (answer instanceof Response) return answer;
    return new Response(answer.map((record) => JSON.stringify(record)).join('\n') + '\n', { status: 200 });
  }) as typeof fetch;
  return { client: new VictoriaLogsClient(URL_BASE, fetchImpl), queries };
}

describe('VictoriaLogs records as log lines', () => {
  it("maps ids, time (to the microsecond), service, severity and message, and keeps the record's own attributes only", () => {
    expect(byMessage('order placed')).toEqual({
      traceId: ROOT,
      spanId: spans.post.spanId,
      timeMicros: T0 + 15_123,
      service: 'order-service',
      severity: 'info',
      level: 'info',
      message: 'order placed',
      fields: {
        currency: 'EUR',
        order_id: expect.any(String),
        total_minor: '100',
        user_id: expect.any(String),
      },
    });
  });

  it('takes the level from the severity number, else the text, and leaves spanId out when the record has none', () => {
    expect(byMessage('record sent to the dead-letter topic')).toMatchObject({ severity: 'warn', level: 'warn' });
    const crashed = byMessage('kafka consumer crashed');
    expect(crashed).toMatchObject({ severity: 'error', level: 'error', service: 'user-service' });
    expect('spanId' in crashed).toBe(false);
    expect(mapLogRecord({ _msg: 'x', _time: '2026-01-01T00:00:00Z', severity_number: '22' }).level).toBe('fatal');
    expect(mapLogRecord({ _msg: 'x', _time: '2026-01-01T00:00:00Z', severity_text: 'verbose' })).toMatchObject({
      level: 'debug',
      severity: 'verbose',
    });
    expect(mapLogRecord({ _msg: 'x', _time: '2026-01-01T00:00:00Z' })).toMatchObject({
      level: 'info',
      severity: 'info',
      service: 'unknown',
    });
  });

  it('reads RFC 3339 times to the microsecond', () => {
    const second = Date.UTC(2026, 0, 1) * 1000;
    expect(rfc3339Micros('2026-01-01T00:00:00Z')).toBe(second);
    expect(rfc3339Micros('2026-01-01T00:00:00.83Z')).toBe(second + 830_000);
    expect(rfc3339Micros('2026-01-01T00:00:00.123456789Z')).toBe(second + 123_456);
    expect(rfc3339Micros('2026-01-01T01:00:00.5+01:00')).toBe(second + 500_000);
  });
});

describe('reading a transaction’s log lines', () => {
  it('asks once for every trace of the transaction, in their time window, the earliest lines first', async () => {
    const { client, queries } = fakeVictoriaLogs(records());
    const logs = await readTransactionLogs(client, transaction.traces, 10);
    expect(queries).toEqual([
      `trace_id:in("${LINKED}", "${ROOT}") _time:[2026-11-18T11:01:40.000Z, 2026-11-18T11:11:40.110Z] | sort by (_time) limit 11`,
    ]);
    expect(logs).toEqual({ query: queries[0].replace(/ \|.*/, ''), lines: records().map(mapLogRecord), limit: 10, limitReached: false });
  });

  it('says when the limit is reached, keeping the limit of lines', async () => {
    const { client } = fakeVictoriaLogs(records());
    const logs = await readTransactionLogs(client, transaction.traces, 4);
    expect(logs.lines).toHaveLength(4);
    expect(logs.limitReached).toBe(true);
  });

  it('turns an unreachable or failing log store into a note, not a failure', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const unreachable = await readTransactionLogs(fakeVictoriaLogs(refused).client, transaction.traces);
    expect(unreachable).toMatchObject({ lines: [], error: `cannot reach VictoriaLogs at ${URL_BASE}: ECONNREFUSED` });
    const failing = await readTransactionLogs(
      fakeVictoriaLogs(new Response('cannot parse query', { status: 400 })).client,
      transaction.traces,
    );
    expect(failing).toMatchObject({ lines: [], error: `VictoriaLogs at ${URL_BASE} answered 400: cannot parse query` });
  });
});

describe('log lines in the waterfall', () => {
  const waterfall = buildWaterfall(withLogs());
  const row = (spanId: string) => waterfall.traces.flatMap((trace) => trace.rows).find((r) => r.span.spanId === spanId)!;

  it('go under the span they were written in (trace id and span id), by time', () => {
    expect(row(spans.post.spanId).logs.map((line) => line.message)).toEqual(['order placed']);
    expect(row(spans.charge.spanId).logs.map((line) => line.level)).toEqual(['error']);
    expect(row(spans.processFailed.spanId).logs.map((line) => line.message)).toEqual(['order cancelled']);
    expect(row(spans.getUser.spanId).logs).toEqual([]);
  });

  it('go under their trace when their span is not in the view, or they name none', () => {
    const [root, linked] = waterfall.traces;
    expect(root.logsOutsideSpans.map((line) => line.message)).toEqual(['kafka consumer crashed']);
    expect(linked.logsOutsideSpans.map((line) => [line.spanId, line.message])).toEqual([
      ['b0000000000000ff', 'record sent to the dead-letter topic'],
    ]);
  });

  it('a span id of another trace does not place a line (ids are matched with their trace)', () => {
    const strayed = { ...byMessage('order placed'), traceId: LINKED };
    const view = buildWaterfall(withLogs(logsOf([strayed])));
    expect(view.traces[0].rows[0].logs).toEqual([]);
    expect(view.traces[1].logsOutsideSpans).toEqual([strayed]);
  });
});

describe('renderTerminal with logs', () => {
  const text = renderTerminal(withLogs(), { width: WIDTH, color: false });
  const lines = text.split('\n');
  const rowOf = (name: string) => lines.findIndex((line) => line.includes('│') && line.includes(` ${name} `));

  it('notes the lines read in the header', () => {
    expect(lines[2]).toBe('logs: 5 lines from VictoriaLogs');
  });

  it("puts each span's lines under its row, indented like its notes: offset, severity, message, fields", () => {
    const post = rowOf('POST /orders');
    const placed = lines[post + 1];
    expect(placed).toMatch(/^ {18}• \+15\.1 ms info {2}order placed {2}currency=EUR order_id=[0-9a-f-]{36} total_minor=100 user_id=/);
    const cancelled = lines[rowOf('process payments.payment-failed.v1') + 3]; // after its two link lines
    expect(cancelled.trim()).toBe(
      '• +104.0 ms info  order cancelled  order_id=' +
        byMessage('order cancelled').fields.order_id +
        ' reason=payment failed: insufficient funds',
    );
  });

  it('lets no control character of a log line reach the terminal', () => {
    const charge = rowOf('charge payment');
    expect(lines[charge + 1].trim()).toMatch(/^✗ /);
    expect(lines[charge + 2].trim()).toBe(
      '• +61.0 ms error charge declined <script>alert("x")</script> &  [31mred [0m  exception.message=Error: insufficient …',
    );
    expect(renderTerminal(withLogs(), { width: 200, color: false })).toContain(
      'exception.message=Error: insufficient funds     at charge (payments.ts:42:7) method=GET',
    );
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('shows lines outside the spans in view under their trace, naming service and span', () => {
    const linkedHeader = lines.findIndex((line) => line.includes(`trace ${LINKED}`));
    const rootOutside = lines.indexOf('   log lines of this trace outside its spans in view:');
    expect(rootOutside).toBeGreaterThan(rowOf('send payments.payment-failed.v1'));
    expect(rootOutside).toBeLessThan(linkedHeader);
    expect(lines[rootOutside + 1]).toMatch(/^ {3}• \+120\.0 ms error user-service: kafka consumer crashed {2}exception\.message=/);
    expect(lines.slice(linkedHeader)).toContain('   log lines of this trace outside its spans in view:');
    expect(
      lines
        .slice(linkedHeader)
        .some((line) =>
          line.startsWith('   • +108.0 ms warn  payment-service (span b0000000, not in view): record sent to the dead-letter topic'),
        ),
    ).toBe(true);
  });

  it('keeps within the width, and colours severity and message only when asked', () => {
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(WIDTH);
    for (const line of renderTerminal(withLogs(), { width: 70, color: false }).split('\n'))
      expect([...line].length).toBeLessThanOrEqual(70);
    expect(text).not.toContain('\x1b[');
    const colored = renderTerminal(withLogs(), { width: WIDTH, color: true });
    expect(colored).toContain('\x1b[31merror');
    expect(colored).toContain('\x1b[32minfo ');
  });

  it('shows the traces with a one-line note when the log store could not be read, and notes a reached limit', () => {
    const unreachable = renderTerminal(withLogs(logsOf([], { error: `cannot reach VictoriaLogs at ${URL_BASE}: ECONNREFUSED` })), {
      width: WIDTH,
      color: false,
    }).split('\n');
    expect(unreachable[2]).toBe(`logs: not shown, cannot reach VictoriaLogs at ${URL_BASE}: ECONNREFUSED`);
    expect(unreachable.some((line) => line.includes('POST /orders'))).toBe(true);
    expect(unreachable.some((line) => line.includes('•'))).toBe(false);
    const limited = renderTerminal(withLogs(logsOf(undefined, { limit: 5, limitReached: true })), { width: WIDTH, color: false });
    expect(limited.split('\n')[2]).toBe('logs: the first 5 lines only (limit reached)');
    expect(renderTerminal(transaction, { width: WIDTH, color: false })).not.toContain('logs:');
  });
});

describe('renderHtml with logs', () => {
  const html = renderHtml(withLogs());
  const rowHtml = (spanId: string) => spanRowHtml(html, spanId);

  it("puts each span's lines in its row, with severity classes", () => {
    expect(rowHtml(spans.post.spanId)).toMatch(
      /<div class="log lvl-info" title="[^"]*"><span class="at">\+15\.1 ms<\/span> <span class="sev">info<\/span> <span class="msg">order placed<\/span> <span class="fields">currency=EUR order_id=/,
    );
    expect(rowHtml(spans.charge.spanId)).toContain('<div class="log lvl-error"');
    expect(rowHtml(spans.processFailed.spanId)).toContain('<span class="msg">order cancelled</span>');
    expect(rowHtml(spans.getUser.spanId)).not.toContain('class="log');
    expect(html).toContain(`<div class="span kind-server has-logs" id="${spans.post.spanId}"`);
    expect(html).toContain('.log.lvl-error .sev');
  });

  it('escapes log text, fields and titles', () => {
    expect(html).not.toContain('<script>');
    expect(rowHtml(spans.charge.spanId)).toContain(
      '<span class="msg">charge declined &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; ',
    );
    const evil = mapLogRecord({
      _time: '2026-11-18T11:06:40.010Z',
      trace_id: ROOT,
      span_id: spans.post.spanId,
      _msg: 'm',
      '<b a="1">': '"><img src=x>',
    });
    const page = renderHtml(withLogs(logsOf([evil])));
    expect(page).toContain('&lt;b a=&quot;1&quot;&gt;=&quot;&gt;&lt;img src=x&gt;');
    expect(page).not.toMatch(/<img|<b /);
  });

  it('shows lines outside the spans in view under their trace section', () => {
    const linked = html.slice(html.indexOf(`id="trace-${LINKED}"`));
    expect(linked).toMatch(
      /<div class="trace-logs"><div class="title">log lines of this trace outside its spans in view<\/div><div class="log lvl-warn"[^>]*>.*payment-service \(span <code>b0000000<\/code>, not in view\):<\/span> <span class="msg">record sent to the dead-letter topic/,
    );
  });

  it('notes the lines and their LogsQL query in the header, or why there are none', () => {
    expect(html).toContain(
      `<p class="summary logs">logs: 5 lines from VictoriaLogs · LogsQL: <code>trace_id:in(&quot;${LINKED}&quot;, &quot;${ROOT}&quot;)`,
    );
    const unreachable = renderHtml(withLogs(logsOf([], { error: 'cannot reach VictoriaLogs at <here>: ECONNREFUSED' })));
    expect(unreachable).toContain(
      '<p class="summary logs logs-warning">logs: not shown, cannot reach VictoriaLogs at &lt;here&gt;: ECONNREFUSED</p>',
    );
    expect(unreachable).toContain(`id="${spans.post.spanId}"`);
  });

  it('stays one self-contained page: no script, nothing fetched, every link in the page', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:\/\//i);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(ids).toContain(href.replace(/^#/, ''));
  });
});
