import pLimit from 'p-limit';
import { Client } from 'pg';
import { stackPaths } from '../infra/stack/src/paths';
import { secretFiles } from '../infra/stack/src/secrets';
import { waitUntil } from '../infra/stack/src/wait-until';
import { TOPICS } from '../libs/contracts/src/topics';
import { connectionConfig } from '../libs/service-kit/src/database/connection-config';
import { endpoints, jaegerTrace, logsQuery } from '../test/support/backends';
import { traceView } from '../test/support/trace-shape';

/**
 * The hop spans of a paid order's trace (child hop mode: one trace from POST /orders to the user
 * statistics), as docs/performance.md "Span budget" lists them; statements under them vary with
 * how records were fetched (one or many per transaction), these do not.
 */
export const ORDER_HOP_SPANS: [service: string, name: string][] = [
  ['order-service', 'POST /orders'],
  ['order-service', `send ${TOPICS.orderCreated}`],
  ['payment-service', `process ${TOPICS.orderCreated}`],
  ['payment-service', 'charge payment'],
  ['payment-service', `send ${TOPICS.paymentCompleted}`],
  ['order-service', `process ${TOPICS.paymentCompleted}`],
  ['order-service', `send ${TOPICS.orderConfirmed}`],
  ['payment-service', `process ${TOPICS.paymentCompleted}`],
  ['user-service', `process ${TOPICS.orderConfirmed}`],
];

/** The log lines a confirmed order writes, one each, each with the order's id and a trace id. */
export const ORDER_LOG_LINES = ['order placed', 'payment completed', 'order confirmed', 'confirmed order counted in the user statistics'];

export interface OrderTally {
  accepted: number;
  /** Accepted orders in each state after the drain. */
  confirmed: number;
  cancelled: number;
  pending: number;
  /** Accepted orders the database does not have at all. */
  missing: number;
  /** Orders with more than one payment row, or more than one settlement entry. */
  chargedTwice: number;
  settledTwice: number;
  /** Confirmed orders without a payment or a settlement entry. */
  unpaid: number;
  unsettled: number;
}

export interface SignalTally {
  expected: number;
  stored: number;
}

async function database(name: string): Promise<Client> {
  process.env.PGPASSFILE ??= secretFiles(stackPaths()).pgpassFile;
  const client = new Client(connectionConfig(`postgres://postgres@127.0.0.1:${endpoints.postgresPort}/${name}`));
  await client.connect();
  return client;
}

async function countsByOrder(client: Client, table: string, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await client.query<{ order_id: string; n: string }>(
    `select order_id, count(*) as n from ${table} where order_id = any($1::uuid[]) group by order_id`,
    [ids],
  );
  return new Map(rows.map((row) => [row.order_id, Number(row.n)]));
}

/** Every accepted order against orders, payments and the settlement ledger in Postgres. */
export async function tallyOrders(orderIds: string[]): Promise<OrderTally> {
  const orders = await database('orders');
  const payments = await database('payments');
  try {
    const { rows } = await orders.query<{ id: string; status: string }>(
      'select id, status from customer_order where id = any($1::uuid[])',
      [orderIds],
    );
    const status = new Map(rows.map((row) => [row.id, row.status]));
    const paid = await countsByOrder(payments, 'payment', orderIds);
    const settled = await countsByOrder(payments, 'settlement_entry', orderIds);
    const confirmed = orderIds.filter((id) => status.get(id) === 'CONFIRMED');
    return {
      accepted: orderIds.length,
      confirmed: confirmed.length,
      cancelled: orderIds.filter((id) => status.get(id) === 'CANCELLED').length,
      pending: orderIds.filter((id) => status.get(id) === 'PENDING').length,
      missing: orderIds.filter((id) => !status.has(id)).length,
      chargedTwice: [...paid.values()].filter((n) => n > 1).length,
      settledTwice: [...settled.values()].filter((n) => n > 1).length,
      unpaid: confirmed.filter((id) => !paid.has(id)).length,
      unsettled: confirmed.filter((id) => !settled.has(id)).length,
    };
  } finally {
    await Promise.all([orders.end(), payments.end()]);
  }
}

/** How the order flow came back from a fault, from order-service's own timestamps. */
export interface Recovery {
  /** From healing until the last order created before it was complete: the backlog the fault left (0: none). */
  seconds: number;
  /** Order created → final state, p99 in milliseconds, for orders created before the fault, while it held, and after healing. */
  p99Ms: { before: number | null; during: number | null; after: number | null };
}

export async function recoveryOf(orderIds: string[], injectedAt: Date, healedAt: Date): Promise<Recovery> {
  const orders = await database('orders');
  try {
    const p99 = (where: string) => `percentile_cont(0.99) within group (order by ms) filter (where ${where})`;
    const { rows } = await orders.query<{ backlog: number | null; before: number | null; during: number | null; after: number | null }>(
      `select extract(epoch from max(completed_at) filter (where created_at < $3) - $3) as backlog,
              ${p99('created_at < $2')} as before, ${p99('created_at >= $2 and created_at < $3')} as during, ${p99('created_at >= $3')} as after
         from (select created_at, completed_at, extract(epoch from completed_at - created_at) * 1000 as ms
                 from customer_order where id = any($1::uuid[])) o`,
      [orderIds, injectedAt, healedAt],
    );
    const ms = (value: number | null) => (value === null ? null : Math.round(value));
    const { backlog, before, during, after } = rows[0];
    return {
      seconds: Math.max(0, Math.round((backlog ?? 0) * 10) / 10),
      p99Ms: { before: ms(before), during: ms(during), after: ms(after) },
    };
  } finally {
    await orders.end();
  }
}

/**
 * Waits until none of these orders is PENDING (the pipeline has drained), polling every second on one
 * connection; resolves either way at the timeout (the tally then counts what is still pending).
 */
export async function untilNonePending(orderIds: string[], timeoutMs: number): Promise<void> {
  const orders = await database('orders');
  try {
    await waitUntil(
      async () => {
        const { rows } = await orders.query<{ n: string }>(
          `select count(*) as n from customer_order where id = any($1::uuid[]) and status = 'PENDING'`,
          [orderIds],
        );
        return Number(rows[0].n) === 0 ? true : undefined;
      },
      { what: 'every accepted order settled', timeoutMs, intervalMs: 1000 },
    ).catch(() => undefined);
  } finally {
    await orders.end();
  }
}

/** The hop spans of each order's trace that Jaeger returns, against ORDER_HOP_SPANS, and which hops miss how many. */
export async function tallySpans(traceIds: string[]): Promise<SignalTally & { missingByHop: Record<string, number> }> {
  const limit = pLimit(8);
  const missing = new Map<string, number>();
  let stored = 0;
  await Promise.all(
    traceIds.map((traceId) =>
      limit(async () => {
        const trace = await jaegerTrace(traceId);
        const view = trace && traceView(trace);
        for (const [service, name] of ORDER_HOP_SPANS) {
          if (view && view.find(service, name).length > 0) stored++;
          else missing.set(`${service}: ${name}`, (missing.get(`${service}: ${name}`) ?? 0) + 1);
        }
      }),
    ),
  );
  return { expected: traceIds.length * ORDER_HOP_SPANS.length, stored, missingByHop: Object.fromEntries(missing) };
}

/**
 * The log lines of each confirmed order in the log store, against ORDER_LOG_LINES: found by the
 * order's id and counted only when they carry a trace id (in link hop mode each hop's lines carry
 * the trace of that hop, so the order id is what ties them together). A line written twice (a
 * record processed again after a rebalance or a kill) counts once, so duplicates never hide a loss.
 */
export async function tallyLogs(orderIds: string[]): Promise<SignalTally & { missingByLine: Record<string, number> }> {
  const found = new Map<string, number>(ORDER_LOG_LINES.map((line) => [line, 0]));
  const messages = ORDER_LOG_LINES.map((line) => JSON.stringify(line)).join(',');
  for (let i = 0; i < orderIds.length; i += 200) {
    const ids = orderIds.slice(i, i + 200).map((id) => JSON.stringify(id));
    const rows = await logsQuery(
      `order_id:in(${ids.join(',')}) _msg:in(${messages}) trace_id:* | uniq by (order_id, _msg) | stats by (_msg) count() as n`,
    );
    for (const { message, fields } of rows) found.set(message, (found.get(message) ?? 0) + Number(fields.n));
  }
  const missingByLine = Object.fromEntries(
    [...found].filter(([, n]) => n < orderIds.length).map(([line, n]) => [line, orderIds.length - n]),
  );
  const stored = [...found.values()].reduce((a, b) => a + b, 0);
  return { expected: orderIds.length * ORDER_LOG_LINES.length, stored, missingByLine };
}
