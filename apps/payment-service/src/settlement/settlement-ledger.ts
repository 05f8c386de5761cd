import { Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { PaymentCompletedV1, PaymentFailedV1, TOPICS } from '@tracehop/contracts';
import type { EventHandler } from '@tracehop/service-kit';
import type { PaymentDatabase } from '../database/schema';

async function settle(
  trx: Transaction<PaymentDatabase>,
  event: PaymentCompletedV1 | PaymentFailedV1,
  outcome: 'completed' | 'failed',
): Promise<void> {
  await trx
    .insertInto('settlement_entry')
    .values({
      event_id: event.eventId,
      payment_id: event.paymentId,
      order_id: event.orderId,
      outcome,
      amount_minor: event.amount.amountMinor,
      currency: event.amount.currency,
    })
    .onConflict((conflict) => conflict.column('event_id').doNothing())
    .execute();
}

/** Ledger entry for a completed payment (batch consumer: see settlement-consumers.ts). */
@Injectable()
export class SettleCompletedPayment implements EventHandler<PaymentCompletedV1, PaymentDatabase> {
  readonly topic = TOPICS.paymentCompleted;
  readonly event = PaymentCompletedV1;

  handle(event: PaymentCompletedV1, trx: Transaction<PaymentDatabase>): Promise<void> {
    return settle(trx, event, 'completed');
  }
}

/** Ledger entry for a failed payment. */
@Injectable()
export class SettleFailedPayment implements EventHandler<PaymentFailedV1, PaymentDatabase> {
  readonly topic = TOPICS.paymentFailed;
  readonly event = PaymentFailedV1;

  handle(event: PaymentFailedV1, trx: Transaction<PaymentDatabase>): Promise<void> {
    return settle(trx, event, 'failed');
  }
}
