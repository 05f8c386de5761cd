import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@tracehop/contracts';
import { jaegerTrace, logsForTrace, type JaegerTrace, type LogEntry } from '../support/backends';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices, type ServiceName } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';
import { spanRowHtml } from './span-row-html';

const ROOT = join(__dirname, '../..');
/** The log lines of a paid order, by the service that writes them (docs/reading-async-hops.md, "Logs and metrics of a hop"). */
const EXPECTED_LOGS: [ServiceName, string][] = [
  ['order-service', 'order placed'],
  ['payment-service', 'payment completed'],
  ['order-service', 'order confirmed'],
  ['user-service', 'confirmed order counted in the user statistics'],
];

/** `npm run --silent trace -- …` as a user types it; rejects with stderr when it fails. */
function traceView(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'trace', '--', ...args], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`trace ${args.join(' ')} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

/** A local port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * `npm run trace` over a real paid order: the services' log lines, read from VictoriaLogs, are shown
 * under the spans they were written in (by trace id and span id), in the terminal and the HTML page;
 * an unreachable log store leaves the traces shown with a note.
 */
describe('npm run trace shows the log lines of a real transaction under their spans', () => {
  let running: RunningServices;
  let traceId: string;
  let trace: JaegerTrace;
  /** Each expected line's record, as VictoriaLogs has it. */
  let logs: Map<string, LogEntry>;
  let dir: string;

  beforeAll(async () => {
    running = await startServices();
    const shop = shopClient(running);
    const user = await shop.registerUser();
    const placed = await shop.placeOrder(anOrder(user.body.id));
    expect([user.status, placed.status]).toEqual([201, 201]);
    traceId = placed.traceId;
    expect((await shop.settled(placed.body.id)).status).toBe('CONFIRMED');
    logs = await eventually('the order’s log lines in VictoriaLogs', 60, async () => {
      const found = new Map<string, LogEntry>();
      for (const [service, message] of EXPECTED_LOGS) {
        const entry = (await logsForTrace(service, traceId)).find((line) => line.message === message);
        if (entry) found.set(message, entry);
      }
      return found.size === EXPECTED_LOGS.length ? found : undefined;
    });
    // The whole trace stored, down to every span a line was written in.
    trace = await eventually('the transaction whole in Jaeger', 60, async () => {
      const found = await jaegerTrace(traceId);
      const ids = new Set(found?.spans.map((span) => span.spanID));
      const whole = found?.spans.some((span) => span.operationName === `process ${TOPICS.orderConfirmed}`);
      return whole && [...logs.values()].every((entry) => ids.has(entry.fields.span_id)) ? found : undefined;
    });
    dir = mkdtempSync(join(tmpdir(), 'trace-view-logs-'));
  }, 180_000);

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await running?.stop();
  });

  /** The span a line was written in: its service and name in Jaeger. */
  const spanOf = (entry: LogEntry) => {
    const span = trace.spans.find((candidate) => candidate.spanID === entry.fields.span_id)!;
    return { spanId: span.spanID, name: span.operationName, service: trace.processes[span.processID].serviceName };
  };

  it('the terminal view shows each line under the row of its span', async () => {
    const lines = (await traceView(traceId, '--no-color', '--width', '240')).split('\n');
    expect(lines[2]).toMatch(/^logs: \d+ lines from VictoriaLogs$/);
    expect(spanOf(logs.get('order placed')!)).toMatchObject({ service: 'order-service', name: 'POST /orders' });
    for (const [service, message] of EXPECTED_LOGS) {
      const at = lines.findIndex((line) => new RegExp(`^ +• [+-][0-9.]+ ms info  ${message}( |$)`).test(line));
      expect({ message, found: at > -1 }).toEqual({ message, found: true });
      const row = lines.slice(0, at).findLastIndex((line) => line.includes('│'));
      const span = spanOf(logs.get(message)!);
      expect({ message, row: lines[row] }).toEqual({
        message,
        row: expect.stringMatching(new RegExp(`^${service} +${span.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `)),
      });
      // Indented under the span's name, two columns deeper.
      const nameColumn = lines[row].indexOf(span.name, service.length);
      expect(lines[at].indexOf('•')).toBe(nameColumn + 2);
    }
    expect(lines.join('\n')).toContain(`order_id=`);
  });

  it('the HTML view shows each line in the row of its span', async () => {
    const file = join(dir, 'transaction.html');
    await traceView(traceId, '--no-color', '--html', file);
    const html = readFileSync(file, 'utf8');
    for (const [service, message] of EXPECTED_LOGS) {
      const span = spanOf(logs.get(message)!);
      const row = spanRowHtml(html, span.spanId);
      expect({ message, service: row.includes(`data-service="${service}"`) }).toEqual({ message, service: true });
      expect(row).toMatch(new RegExp(`<div class="log lvl-info"[^>]*>.*<span class="msg">${message}</span>`));
    }
    expect(html).toMatch(/<p class="summary logs">logs: \d+ lines from VictoriaLogs · LogsQL: <code>trace_id:in\(/);
  });

  it('an unreachable log store leaves a one-line note and the traces; --no-logs leaves the logs out', async () => {
    const port = await closedPort();
    const unreachable = await traceView(traceId, '--no-color', '--width', '200', '--no-follow-links', '--logs', `http://127.0.0.1:${port}`);
    expect(unreachable.split('\n')[2]).toBe(`logs: not shown, cannot reach VictoriaLogs at http://127.0.0.1:${port}: ECONNREFUSED`);
    expect(unreachable).toMatch(/^order-service +POST \/orders /m);
    expect(unreachable).not.toContain('•');
    const without = await traceView(traceId, '--no-color', '--width', '200', '--no-follow-links', '--no-logs');
    expect(without).not.toContain('logs:');
    expect(without).not.toContain('•');
    expect(without).toMatch(/^order-service +POST \/orders /m);
  });
});
