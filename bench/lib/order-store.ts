import { Client } from 'pg';
import { stackPaths } from '../../infra/stack/src/paths';
import { secretFiles } from '../../infra/stack/src/secrets';
import { connectionConfig } from '../../libs/service-kit/src/database/connection-config';

export interface OrderCounts {
  pending: number;
  completed: number;
}

/**
 * Reads order-service's database directly (as the e2e specs read backends): how many orders since a
 * moment are still PENDING and how many reached CONFIRMED or CANCELLED, and their completion times.
 */
export class OrderStore {
  private constructor(private readonly client: Client) {}

  static async open(url = process.env.ORDERS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/orders'): Promise<OrderStore> {
    // The stack's Postgres password, as the e2e global setup points the specs at it.
    process.env.PGPASSFILE ??= secretFiles(stackPaths()).pgpassFile;
    const client = new Client(connectionConfig(url));
    await client.connect();
    return new OrderStore(client);
  }

  async counts(since: Date): Promise<OrderCounts> {
    const { rows } = await this.client.query<{ pending: string; completed: string }>(
      `select count(*) filter (where status = 'PENDING') as pending, count(*) filter (where status <> 'PENDING') as completed
         from customer_order where created_at >= $1`,
      [since],
    );
    return { pending: Number(rows[0].pending), completed: Number(rows[0].completed) };
  }

  /** Order created → final state, in milliseconds: p50 and p99 over the orders since `since`. */
  async completionMillis(since: Date): Promise<{ p50: number; p99: number }> {
    const { rows } = await this.client.query<{ p50: number; p99: number }>(
      `select percentile_cont(0.5) within group (order by ms) as p50, percentile_cont(0.99) within group (order by ms) as p99
         from (select extract(epoch from completed_at - created_at) * 1000 as ms
                 from customer_order where created_at >= $1 and completed_at is not null) done`,
      [since],
    );
    return { p50: Math.round(rows[0].p50), p99: Math.round(rows[0].p99) };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
