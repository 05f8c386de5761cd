import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { TOPICS } from '@tracehop/contracts';
import type { Edge } from '../../tools/trace-query/dependencies';
import type { TraceSummary } from '../../tools/trace-query/summary';
import { jaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';

const ROOT = join(__dirname, '../..');

/** `npm run --silent traces -- … --json`, as a user types it; rejects with stderr when it fails. */
function traces(...args: string[]): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '--silent', 'traces', '--', ...args, '--json'], { cwd: ROOT }, (error, stdout, stderr) =>
      error ? reject(new Error(`traces ${args.join(' ')} failed: ${stderr}`)) : resolve(JSON.parse(stdout)),
    );
  });
}
const traceIds = async (...args: string[]) => ((await traces(...args)) as TraceSummary[]).map((trace) => trace.traceId);

/**
 * The tracing seed's query families answered by `npm run traces` over the real Jaeger: each query
 * is narrowed to this spec's own traces (a fresh user, or a window starting with the spec), so other
 * specs' traces in the same Jaeger cannot answer for it.
 */
describe('npm run traces', () => {
  let running: RunningServices;
  let since: string;
  let userId: string;
  const ids = { paid: '', declined: '', unknownUser: '' };

  beforeAll(async () => {
    since = new Date(Date.now() - 1000).toISOString();
    running = await startServices();
    const shop = shopClient(running);
    // A customer whose payment account is open: the paid order's trace has no retried charge in it.
    userId = (await shop.customer()).id;
    const paid = await shop.placeOrder(anOrder(userId));
    const declined = await shop.placeOrder(anOrder(userId, 250_000, 1)); // beyond the starting balance
    const unknownUser = await shop.placeOrder(anOrder('7b0a4d8e-8a5e-4f3e-9d2f-00000000abcd'));
    expect([paid.status, declined.status, unknownUser.status]).toEqual([201, 201, 422]);
    Object.assign(ids, { paid: paid.traceId, declined: declined.traceId, unknownUser: unknownUser.traceId });
    await shop.settled(paid.body.id);
    await shop.settled(declined.body.id);
    // Every hop stored: the confirmation reached user-service (the last hop), the decline was charged.
    await eventually('both orders complete in Jaeger', 60, async () => {
      const [paidTrace, declinedTrace] = await Promise.all([jaegerTrace(ids.paid), jaegerTrace(ids.declined)]);
      const names = (trace: typeof paidTrace) => new Set(trace?.spans.map((span) => span.operationName));
      return names(paidTrace).has(`process ${TOPICS.orderConfirmed}`) && names(declinedTrace).has('charge payment') ? true : undefined;
    });
  }, 180_000);

  afterAll(() => running?.stop());

  it('by user: every trace of that user, newest first, with root, services, spans and errors', async () => {
    const found = (await traces('--user', userId, '--start', since)) as TraceSummary[];
    expect(found.map((trace) => trace.traceId)).toEqual(expect.arrayContaining([ids.paid, ids.declined]));
    expect(found.map((trace) => trace.startMicros)).toEqual([...found.map((trace) => trace.startMicros)].sort((a, b) => b - a));
    const paid = found.find((trace) => trace.traceId === ids.paid)!;
    expect(paid).toMatchObject({ root: { service: 'order-service', name: 'POST /orders' }, errors: 0 });
    expect(paid.services).toEqual(expect.arrayContaining(['order-service', 'user-service', 'payment-service']));
    expect(paid.spans).toBeGreaterThan(10);
  });

  it('by service and operation, HTTP status, error and error message, database operation and any tag', async () => {
    const window = ['--start', since, '--limit', '100'];
    expect(await traceIds('--service', 'order-service', '--operation', 'POST /orders', ...window)).toEqual(
      expect.arrayContaining([ids.paid, ids.declined, ids.unknownUser]),
    );
    expect(await traceIds('--status', '422', '--user', '7b0a4d8e-8a5e-4f3e-9d2f-00000000abcd', ...window)).toEqual([ids.unknownUser]);
    const failed = await traceIds('--error', '--service', 'payment-service', ...window);
    expect(failed).toContain(ids.declined);
    expect(failed).not.toContain(ids.paid);
    expect(await traceIds('--error-message', 'insufficient', ...window)).toEqual(expect.arrayContaining([ids.declined]));
    expect(await traceIds('--error-message', 'no such message anywhere', ...window)).toEqual([]);
    expect(await traceIds('--db-operation', 'insert', '--service', 'payment-service', ...window)).toEqual(
      expect.arrayContaining([ids.paid, ids.declined]),
    );
    expect(
      await traceIds('--tag', `messaging.destination.name=${TOPICS.orderConfirmed}`, '--service', 'user-service', ...window),
    ).toContain(ids.paid);
  });

  it('by duration, time window and limit', async () => {
    const window = ['--start', since, '--limit', '100'];
    const fast = await traceIds('--service', 'order-service', '--operation', 'POST /orders', '--max-duration', '1h', ...window);
    expect(fast).toContain(ids.paid);
    expect(await traceIds('--service', 'order-service', '--operation', 'POST /orders', '--min-duration', '1h', ...window)).toEqual([]);
    expect(await traceIds('--user', userId, '--end', since, '--since', '1h')).toEqual([]);
    expect(await traceIds('--user', userId, '--start', since, '--limit', '1')).toHaveLength(1);
  });

  it('--deps: the dependency map from Jaeger’s API, with the Kafka edges of the transaction', async () => {
    const edges = (await traces('--deps', '--start', since)) as Edge[];
    const edge = (parent: string, child: string) => edges.find((e) => e.parent === parent && e.child === child);
    expect(edge('order-service', 'user-service')?.via).toEqual(expect.arrayContaining(['HTTP', TOPICS.orderConfirmed]));
    expect(edge('order-service', 'payment-service')?.via).toContain(TOPICS.orderCreated);
    expect(edge('payment-service', 'order-service')?.via).toEqual(expect.arrayContaining([TOPICS.paymentCompleted, TOPICS.paymentFailed]));
    expect(edge('user-service', 'payment-service')?.via).toContain(TOPICS.userRegistered);
    for (const found of edges) expect(found.callCount).toBeGreaterThan(0);
  });
});
