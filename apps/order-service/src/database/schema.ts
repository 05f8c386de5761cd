import type { ColumnType, Generated } from 'kysely';
import type { Currency } from '@tracehop/contracts';
import type { KitTables } from '@tracehop/service-kit';

export const ORDER_STATUSES = ['PENDING', 'CONFIRMED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderLineRow {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

export interface OrderTable {
  id: string;
  user_id: string;
  status: OrderStatus;
  currency: Currency;
  /** bigint: pg returns it as a string. */
  total_minor: ColumnType<string, number, never>;
  lines: ColumnType<OrderLineRow[], string, never>;
  cancel_reason: string | null;
  created_at: Generated<Date>;
  completed_at: Date | null;
}

/** Idempotency-Key of POST /orders: the first request's fingerprint and the order it made. */
export interface IdempotencyKeyTable {
  key: string;
  request_hash: string;
  order_id: string;
  created_at: Generated<Date>;
}

export interface OrderDatabase extends KitTables {
  customer_order: OrderTable;
  idempotency_key: IdempotencyKeyTable;
}
