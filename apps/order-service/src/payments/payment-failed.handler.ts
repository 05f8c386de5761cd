import { Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { PaymentFailedV1, TOPICS } from '@tracehop/contracts';
import type { EventHandler } from '@tracehop/service-kit';
import type { OrderDatabase } from '../database/schema';
import { OrderCompletion } from './order-completion';

@Injectable()
export class PaymentFailedHandler implements EventHandler<PaymentFailedV1, OrderDatabase> {
  readonly topic = TOPICS.paymentFailed;
  readonly event = PaymentFailedV1;

  constructor(private readonly completion: OrderCompletion) {}

  handle(event: PaymentFailedV1, trx: Transaction<OrderDatabase>): Promise<void> {
    // The cancelled event allows 200 characters of reason, as the failed one does: the prefix must not overflow it.
    return this.completion.complete(trx, event.orderId, { paid: false, reason: `payment failed: ${event.reason}`.slice(0, 200) });
  }
}
