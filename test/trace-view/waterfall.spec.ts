import { renderHtml, renderTerminal, type Transaction } from '../../tools/trace-view/index';
import { buildWaterfall } from '../../tools/trace-view/waterfall';
import { ELSEWHERE, LINKED, LINKED_ORDER, ROOT, ROOT_ORDER, spans, transaction } from './fixtures/transaction';

const WIDTH = 120;
const SERVICE_WIDTH = 'payment-service'.length; // the longest service name of the fixture

describe('the waterfall model', () => {
  const waterfall = buildWaterfall(transaction);

  it('puts the root trace first, then linked traces, each in tree order with depth by the parent chain', () => {
    expect(waterfall.traces.map((trace) => [trace.traceId, trace.number, trace.isRoot])).toEqual([
      [ROOT, 1, true],
      [LINKED, 2, false],
    ]);
    expect(waterfall.traces[0].rows.map((row) => [row.span.name, row.depth])).toEqual(ROOT_ORDER);
    expect(waterfall.traces[1].rows.map((row) => [row.span.name, row.depth])).toEqual(LINKED_ORDER);
  });

  it('resolves links both ways and shares one time axis across traces', () => {
    const processFailed = waterfall.traces[1].rows[0];
    expect(processFailed.linksTo.map((end) => [end.traceId, end.span?.name, end.traceNumber])).toEqual([
      [ROOT, 'send payments.payment-failed.v1', 1],
      [ELSEWHERE, undefined, undefined],
    ]);
    const sendFailed = waterfall.traces[0].rows.find((row) => row.span === spans.sendFailed)!;
    expect(sendFailed.linkedFrom.map((end) => [end.traceId, end.span?.name])).toEqual([[LINKED, 'process payments.payment-failed.v1']]);
    expect(waterfall.startMicros).toBe(spans.post.startMicros);
    expect(waterfall.endMicros).toBe(spans.processFailed.startMicros + spans.processFailed.durationMicros);
    expect(waterfall.traces[0].rows[0].parentMissing).toBe(true); // the client's span is not in the trace
    expect(waterfall.services).toEqual(['order-service', 'user-service', 'payment-service']);
  });

  it('shows every span once even when parents form a cycle (broken data)', () => {
    const a = { ...spans.update, spanId: '1000000000000001', parentSpanId: '1000000000000002' };
    const b = { ...spans.update, spanId: '1000000000000002', parentSpanId: '1000000000000001', name: 'other' };
    const broken: Transaction = { rootTraceId: LINKED, traces: [{ traceId: LINKED, spans: [a, b] }] };
    expect(
      buildWaterfall(broken)
        .traces[0].rows.map((row) => row.span.spanId)
        .sort(),
    ).toEqual([a.spanId, b.spanId]);
  });
});

describe('renderTerminal', () => {
  const text = renderTerminal(transaction, { width: WIDTH, color: false });
  const lines = text.split('\n');
  const spanLine = (name: string, from = 0) =>
    lines.findIndex(
      (line, i) =>
        i >= from &&
        line.includes('│') &&
        line
          .slice(SERVICE_WIDTH + 1)
          .trimStart()
          .startsWith(`${name} `),
    );
  const indentOf = (line: string) => line.slice(SERVICE_WIDTH + 1).length - line.slice(SERVICE_WIDTH + 1).trimStart().length;
  const barStart = (line: string) => line.slice(line.indexOf('│') + 1).indexOf('█');

  it('has a header per trace, root first, with its id, span count and services', () => {
    const rootHeader = lines.findIndex((line) => line.includes(`[1] trace ${ROOT} (root)`));
    const linkedHeader = lines.findIndex((line) => line.includes(`[2] trace ${LINKED} (linked)`));
    expect(rootHeader).toBeGreaterThan(-1);
    expect(linkedHeader).toBeGreaterThan(rootHeader);
    expect(lines[rootHeader + 1]).toContain('7 spans · services: order-service, user-service, payment-service');
    expect(lines[linkedHeader + 1]).toContain('3 spans · services: order-service');
    expect(lines[0]).toBe(`Transaction ${ROOT}`);
    expect(lines[1]).toContain('2 traces · 10 spans');
  });

  it('lists spans in tree order, indented by depth, with service, kind and duration', () => {
    const linkedHeader = lines.findIndex((line) => line.includes(`[2] trace ${LINKED}`));
    let previous = -1;
    for (const [name, depth] of [...ROOT_ORDER, ...LINKED_ORDER]) {
      const index = spanLine(name, name === LINKED_ORDER[0][0] ? linkedHeader : previous + 1);
      expect({ name, found: index > previous }).toEqual({ name, found: true });
      expect({ name, indent: indentOf(lines[index]) }).toEqual({ name, indent: depth * 2 });
      previous = index;
    }
    const post = lines[spanLine('POST /orders')];
    expect(post.startsWith('order-service ')).toBe(true);
    expect(post).toMatch(/ server +│/);
    expect(post).toContain('20.0 ms');
    expect(lines[spanLine('GET /users/:id')].startsWith('user-service')).toBe(true);
  });

  it('positions bars on one time axis across traces', () => {
    const post = barStart(lines[spanLine('POST /orders')]);
    const processCreated = barStart(lines[spanLine('process orders.order-created.v1')]);
    const processFailed = barStart(lines[spanLine('process payments.payment-failed.v1')]);
    expect(post).toBe(0);
    expect(processCreated).toBeGreaterThan(post);
    expect(processFailed).toBeGreaterThan(processCreated);
    const barWidth = lines[spanLine('POST /orders')].split('│')[1].length;
    expect(barStart(lines[spanLine('process payments.payment-failed.v1')])).toBe(Math.floor((100 / 110) * barWidth));
  });

  it('marks error spans with ✗ and their message', () => {
    const charge = spanLine('charge payment');
    expect(lines[charge].trimEnd().endsWith('✗')).toBe(true);
    expect(lines[charge + 1].trim()).toBe('✗ insufficient funds <script>alert("x")</script> & more');
    expect(lines[spanLine('POST /orders')]).not.toContain('✗');
  });

  it('shows links both ways so a reader can move between the traces', () => {
    const processFailed = spanLine('process payments.payment-failed.v1');
    expect(lines[processFailed + 1].trim()).toBe('↪ links to aaaa0000/send payments.payment-failed.v1 [1] payment-service');
    expect(lines[processFailed + 2].trim()).toBe('↪ links to dddd0000/span d0000000 (trace not in view)');
    const sendFailed = spanLine('send payments.payment-failed.v1');
    expect(lines[sendFailed + 1].trim()).toBe('↩ linked from bbbb0000/process payments.payment-failed.v1 [2] order-service');
  });

  it('lets no control character from span data reach the terminal (line breaks, ANSI escapes)', () => {
    const hostile: Transaction = {
      rootTraceId: ROOT,
      traces: [
        {
          traceId: ROOT,
          spans: [
            {
              ...spans.charge,
              parentSpanId: undefined,
              name: 'evil\x1b[2Jname',
              service: 'svc\nx',
              errorMessage: 'line one\nline two\x07',
            },
          ],
        },
      ],
    };
    const out = renderTerminal(hostile, { width: WIDTH, color: false });
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(out).toContain('evil [2Jname');
    expect(out).toContain('✗ line one line two');
  });

  it('keeps within the width, and colours only when asked', () => {
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(WIDTH);
    expect(text).not.toContain('\x1b[');
    expect(renderTerminal(transaction, { width: WIDTH, color: true })).toContain('\x1b[');
    const narrow = renderTerminal(transaction, { width: 70, color: false });
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(70);
  });
});

describe('renderHtml', () => {
  const html = renderHtml(transaction, { title: 'Order <42> & "friends"' });
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
  const hrefs = [...html.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);

  it('is one self-contained page: inline CSS, no script, nothing fetched from elsewhere', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|@import|https?:\/\//i);
  });

  it('has a section per trace with an anchor, root first, and a row per span with the span id as id', () => {
    expect(html.indexOf(`id="trace-${ROOT}"`)).toBeGreaterThan(-1);
    expect(html.indexOf(`id="trace-${LINKED}"`)).toBeGreaterThan(html.indexOf(`id="trace-${ROOT}"`));
    const rowOrder = [...html.matchAll(/<div class="span [^"]*" id="([0-9a-f]+)"/g)].map((match) => match[1]);
    const expected = [...ROOT_ORDER, ...LINKED_ORDER].map(([name]) => Object.values(spans).find((span) => span.name === name)!.spanId);
    expect(rowOrder).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).toContain(
      `id="${spans.charge.spanId}" data-trace-id="${ROOT}" data-service="payment-service" style="--c:#0d9488;--depth:3"`,
    );
  });

  it('links as in-page anchors to the linked span, both ways, and every anchor resolves', () => {
    const processFailed = html.slice(html.indexOf(`id="${spans.processFailed.spanId}"`));
    expect(processFailed.slice(0, processFailed.indexOf('</div></div>') + 12)).toContain(
      `<a href="#${spans.sendFailed.spanId}">↪ links to <code>aaaa0000</code>/send payments.payment-failed.v1</a>`,
    );
    const sendFailed = html.slice(html.indexOf(`id="${spans.sendFailed.spanId}"`));
    expect(sendFailed).toContain(
      `<a href="#${spans.processFailed.spanId}">↩ linked from <code>bbbb0000</code>/process payments.payment-failed.v1</a>`,
    );
    expect(html).toContain('(trace not in view)');
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(ids).toContain(href);
  });

  it('styles error spans and shows their message', () => {
    expect(html).toMatch(new RegExp(`<div class="span kind-internal error" id="${spans.charge.spanId}"`));
    expect(html).toContain('<div class="err">✗ insufficient funds &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</div>');
  });

  it('escapes all text: names, messages, attributes, title', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<b>bye</b>');
    expect(html).toContain('note = say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt;');
    expect(html).toContain('<title>Order &lt;42&gt; &amp; &quot;friends&quot;</title>');
    const evil: Transaction = {
      rootTraceId: ROOT,
      traces: [{ traceId: ROOT, spans: [{ ...spans.post, service: '<svc onload="x">', name: `a<b>"c'&d` }] }],
    };
    const page = renderHtml(evil);
    expect(page).toContain('&lt;svc onload=&quot;x&quot;&gt;');
    expect(page).toContain('a&lt;b&gt;&quot;c&#39;&amp;d');
    expect(page).not.toContain('<svc');
  });

  it('has a legend with a colour per service, and the bars on the shared axis', () => {
    expect(html).toMatch(
      /<ul class="legend"[^>]*><li><span class="swatch" style="--c:#2563eb"><\/span>order-service<\/li><li><span class="swatch" style="--c:#9333ea"><\/span>user-service<\/li><li><span class="swatch" style="--c:#0d9488"><\/span>payment-service<\/li><\/ul>/,
    );
    expect(html).toContain('<span class="bar" style="left:0.000%;width:18.182%">'); // POST /orders: 0–20 of 110 ms
    expect(html).toContain('<span class="bar" style="left:90.909%;width:9.091%">'); // the linked process span: 100–110 ms
  });
});
