import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpDom } from '../../tools/trace-view/chromium';
import { escapeHtml } from '../../tools/trace-view/html';
import { fetchTransaction, renderHtml, renderTerminal, type Transaction } from '../../tools/trace-view/index';
import { endpoints, type JaegerTrace } from '../support/backends';
import { ensureChromium } from './chromium';

/**
 * A real transaction from Jaeger (left there by earlier runs of the services' specs), rendered to
 * HTML and opened in headless Chromium: the DOM the browser builds shows every service of the
 * transaction and every Kafka hop's span, and every in-page link resolves.
 */
const SERVICES = ['user-service', 'order-service', 'payment-service'];
const LAST_HOP = 'process orders.order-confirmed.v1';

/** The newest trace, in the last 2 h, that reached user-service's order-confirmed consumer and holds all three services. */
async function recentTransactionTraceId(): Promise<string> {
  const query = new URLSearchParams({ service: 'user-service', operation: LAST_HOP, limit: '20', lookback: '2h' });
  const response = await fetch(`${endpoints.jaeger}/api/traces?${query}`);
  const traces = ((await response.json()) as { data?: JaegerTrace[] | null }).data ?? [];
  const whole = traces
    .filter((trace) => SERVICES.every((service) => Object.values(trace.processes).some((process) => process.serviceName === service)))
    .sort((a, b) => Math.max(...b.spans.map((s) => s.startTime)) - Math.max(...a.spans.map((s) => s.startTime)));
  if (!whole.length)
    throw new Error(
      `no trace with "${LAST_HOP}" (user-service) and all of ${SERVICES.join(', ')} in Jaeger at ${endpoints.jaeger} in the last 2 h ` +
        `(${traces.length} trace(s) with that operation, none whole): run a transaction first, e.g. test/services/transaction.e2e-spec.ts`,
    );
  return whole[0].traceID;
}

describe('the HTML trace view of a real transaction, in headless Chromium', () => {
  let transaction: Transaction;
  let dom: string;
  let dir: string;
  const started = Date.now();

  beforeAll(async () => {
    await ensureChromium();
    transaction = await fetchTransaction(await recentTransactionTraceId(), { jaegerUrl: endpoints.jaeger });
    dir = mkdtempSync(join(tmpdir(), 'trace-view-e2e-'));
    const file = join(dir, 'transaction.html');
    writeFileSync(file, renderHtml(transaction));
    dom = await dumpDom(file);
  }, 10 * 60_000); // a fresh machine installs chromium first (apt-get, a minute or two)

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`[trace-view] fetch + render + chromium: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  const spans = () => transaction.traces.flatMap((trace) => trace.spans);

  it('the browser shows every service of the transaction', () => {
    for (const service of SERVICES) {
      expect(spans().some((span) => span.service === service)).toBe(true);
      expect(dom).toContain(`<span class="svc">${service}</span>`);
      expect(dom).toMatch(new RegExp(`<li><span class="swatch" style="--c:#[0-9a-f]{6}"></span>${service}</li>`));
    }
  });

  it('the browser shows the span of every Kafka hop (send and process), and a row per span', () => {
    const kafka = spans().filter((span) => span.kind === 'producer' || span.kind === 'consumer');
    const names = new Set(kafka.map((span) => span.name));
    expect([...names]).toEqual(
      expect.arrayContaining([
        'send orders.order-created.v1',
        'process orders.order-created.v1',
        'send orders.order-confirmed.v1',
        LAST_HOP,
      ]),
    );
    expect([...names].some((name) => /^send payments\.payment-(completed|failed)\.v1$/.test(name))).toBe(true);
    for (const name of names) expect(dom).toContain(`<span class="name">${escapeHtml(name)}</span>`);
    expect(dom.match(/<div class="span [^"]*" id="/g)?.length).toBe(spans().length);
    for (const trace of transaction.traces) expect(dom).toContain(`id="trace-${trace.traceId}"`);
  });

  it('every in-page link resolves to an element of the page', () => {
    const ids = new Set([...dom.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]));
    const hrefs = [...dom.matchAll(/href="#([^"]+)"/g)].map((match) => match[1]);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((href) => !ids.has(href))).toEqual([]);
  });

  it('the terminal view of the same transaction names every service and hop', () => {
    const text = renderTerminal(transaction, { width: 160, color: false });
    for (const service of SERVICES) expect(text).toContain(service);
    expect(text).toContain(LAST_HOP);
    expect(text).toContain(`[1] trace ${transaction.rootTraceId} (root)`);
  });
});
