import type { ColumnType, Generated } from 'kysely';
import type { KitTables } from '@tracehop/service-kit';

export interface UserTable {
  id: string;
  email: string;
  name: string;
  created_at: Generated<Date>;
}

/** Confirmed orders per user and currency (kept from orders.order-confirmed.v1). */
export interface UserOrderStatsTable {
  user_id: string;
  currency: string;
  confirmed_orders: number;
  /** bigint: pg returns it as a string. */
  confirmed_total_minor: ColumnType<string, number, number>;
  last_confirmed_at: Date;
}

export interface UserDatabase extends KitTables {
  app_user: UserTable;
  user_order_stats: UserOrderStatsTable;
}
