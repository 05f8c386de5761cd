import { Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import { PaymentCompletedV1, TOPICS } from '@tracehop/contracts';
import type { EventHandler } from '@tracehop/service-kit';
import type { OrderDatabase } from '../database/schema';
import { OrderCompletion } from './order-completion';

@Injectable()
export class PaymentCompletedHandler implements EventHandler<PaymentCompletedV1, OrderDatabase> {
  readonly topic = TOPICS.paymentCompleted;
  readonly event = PaymentCompletedV1;

  constructor(private readonly completion: OrderCompletion) {}

  handle(event: PaymentCompletedV1, trx: Transaction<OrderDatabase>): Promise<void> {
    return this.completion.complete(trx, event.orderId, { paid: true });
  }
}
