import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { endpoints, jaegerTrace, logsQuery } from '../support/backends';
import { eventually } from '../support/eventually';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** Splits the demo's output into its steps: title → the text printed for it. */
function steps(output: string): Map<string, string> {
  const parts = output.split(/^━━ \d+\. /m).slice(1);
  return new Map(parts.map((part) => [part.slice(0, part.indexOf(' ━')), part]));
}

/**
 * The README's first command, as a user runs it (stopping at the end instead of waiting for Ctrl-C):
 * the story is played, and what it prints matches what Jaeger's API holds.
 */
describe('npm run demo', () => {
  let output: string;
  let outputDir: string;

  beforeAll(async () => {
    outputDir = mkdtempSync(join(tmpdir(), 'tracehop-demo-'));
    const result = await run('npm', ['run', '--silent', 'demo', '--', '--stop-after', '--output', outputDir], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 600_000,
    });
    output = result.stdout;
  });

  it('plays the four steps, each with its trace id and where to look', () => {
    const played = steps(output);
    expect([...played.keys()]).toEqual(['A user registers', 'An order that is paid', 'An order that is declined', 'A poison message']);
    for (const text of played.values()) {
      expect(text).toMatch(/trace [0-9a-f]{32}/);
      expect(text).toMatch(/Jaeger API +http:\/\/127\.0\.0\.1:16686\/api\/traces\/[0-9a-f]{32}/);
      expect(text).toMatch(/Logs +http:\/\/127\.0\.0\.1:9428\/select\/vmui\/#\/\?query=trace_id%3A%3D%22[0-9a-f]{32}%22/);
      expect(text).toMatch(/Prometheus +\S/);
    }
    expect(played.get('An order that is paid')).toMatch(/CONFIRMED/);
    expect(played.get('An order that is declined')).toMatch(/CANCELLED .*insufficient funds/);
    expect(played.get('A poison message')).toMatch(/payment-service\.dlq/);
  });

  it("the paid order's waterfall shows all three services and every span Jaeger returns for its trace", async () => {
    const paid = steps(output).get('An order that is paid')!;
    const traceId = /trace ([0-9a-f]{32})/.exec(paid)![1];
    const trace = (await jaegerTrace(traceId))!;
    for (const service of ['user-service', 'order-service', 'payment-service']) expect(paid).toContain(service);
    const names = [...new Set(trace.spans.map((span) => span.operationName))];
    for (const name of names) expect({ name, shown: paid.includes(name) }).toEqual({ name, shown: true });
    for (const hop of [
      'POST /orders',
      'GET /users/:id',
      'send orders.order-created.v1',
      'process orders.order-created.v1',
      'send payments.payment-completed.v1',
      'process payments.payment-completed.v1',
      'send orders.order-confirmed.v1',
      'process orders.order-confirmed.v1',
    ]) {
      expect(paid).toContain(hop);
    }
  });

  it("the paid order's log link opens VictoriaLogs' UI, and its LogsQL query returns the order's log records", async () => {
    const paid = steps(output).get('An order that is paid')!;
    const traceId = /trace ([0-9a-f]{32})/.exec(paid)![1];
    const link = new URL(/Logs +(\S+)/.exec(paid)![1]);
    const page = await fetch(new URL(link.pathname, link.origin));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('UI for VictoriaLogs');
    // The UI runs the link's query against /select/logsql/query; so does this test.
    const query = new URLSearchParams(link.hash.slice(link.hash.indexOf('?'))).get('query')!;
    expect(query).toBe(`trace_id:="${traceId}"`);
    expect(link.origin).toBe(endpoints.victorialogs);
    const services = ['order-service', 'payment-service', 'user-service'];
    const records = await eventually("every service's records of the order in VictoriaLogs", 30, async () => {
      const found = await logsQuery(query);
      return services.every((service) => found.some((r) => r.fields['service.name'] === service)) ? found : undefined;
    });
    expect(records.map((r) => r.message)).toEqual(expect.arrayContaining(['order placed', 'payment completed']));
  });

  it('writes an HTML trace view per step and stops what it started', async () => {
    for (const file of [
      '1-a-user-registers.html',
      '2-an-order-that-is-paid.html',
      '3-an-order-that-is-declined.html',
      '4-a-poison-message.html',
    ]) {
      expect(existsSync(join(outputDir, file))).toBe(true);
    }
    for (const port of [3001, 3002, 3003]) await expect(fetch(`http://127.0.0.1:${port}/health/live`)).rejects.toThrow();
  });
});
