import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import { DATABASE } from '@tracehop/service-kit';
import type { PaymentDatabase } from '../database/schema';
import type { PaymentView } from './payment.view';

@Injectable()
export class PaymentsService {
  constructor(@Inject(DATABASE) private readonly db: Kysely<PaymentDatabase>) {}

  /** Oldest first; empty while the order waits for payment. */
  async listForOrder(orderId: string): Promise<PaymentView[]> {
    const rows = await this.db.selectFrom('payment').selectAll().where('order_id', '=', orderId).orderBy('created_at').execute();
    return rows.map((row) => ({
      id: row.id,
      orderId: row.order_id,
      status: row.status,
      amountMinor: Number(row.amount_minor),
      currency: row.currency,
      reason: row.reason,
      createdAt: row.created_at.toISOString(),
    }));
  }
}
