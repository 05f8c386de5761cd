import type { ColumnType, Generated } from 'kysely';
import type { Currency } from '@tracehop/contracts';
import type { KitTables } from '@tracehop/service-kit';

export const PAYMENT_STATUSES = ['COMPLETED', 'DECLINED', 'FAILED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A wallet per user and currency, opened when the user registers. */
export interface AccountBalanceTable {
  user_id: string;
  currency: Currency;
  /** bigint: pg returns it as a string. */
  balance_minor: ColumnType<string, number, never>;
  opened_at: Generated<Date>;
}

export interface PaymentTable {
  id: string;
  order_id: string;
  user_id: string;
  status: PaymentStatus;
  amount_minor: ColumnType<string, number, never>;
  currency: Currency;
  reason: string | null;
  created_at: Generated<Date>;
}

/** The settlement ledger: one entry per payment outcome event, written by the batch consumer. */
export interface SettlementEntryTable {
  event_id: string;
  payment_id: string;
  order_id: string;
  outcome: 'completed' | 'failed';
  amount_minor: ColumnType<string, number, never>;
  currency: Currency;
  settled_at: Generated<Date>;
}

export interface PaymentDatabase extends KitTables {
  account_balance: AccountBalanceTable;
  payment: PaymentTable;
  settlement_entry: SettlementEntryTable;
}
