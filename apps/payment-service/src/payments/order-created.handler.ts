import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import type { Logger } from 'winston';
import { newEvent, OrderCreatedV1, PaymentCompletedV1, PaymentFailedV1, TOPICS } from '@tracehop/contracts';
import { enqueueEvent, LOGGER, type EventHandler } from '@tracehop/service-kit';
import type { PaymentDatabase } from '../database/schema';
import { PaymentMetrics } from './payment-metrics';
import { PaymentProcessor } from './payment-processor';

/** An order waits for payment: charge, store the payment, publish its outcome (one transaction). */
@Injectable()
export class OrderCreatedHandler implements EventHandler<OrderCreatedV1, PaymentDatabase> {
  readonly topic = TOPICS.orderCreated;
  readonly event = OrderCreatedV1;

  constructor(
    private readonly processor: PaymentProcessor,
    private readonly metrics: PaymentMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(event: OrderCreatedV1, trx: Transaction<PaymentDatabase>): Promise<void> {
    const paid = await trx.selectFrom('payment').select('id').where('order_id', '=', event.orderId).executeTakeFirst();
    if (paid) {
      this.logger.warn('order already has a payment; ignored', { order_id: event.orderId, payment_id: paid.id });
      return;
    }
    const { amountMinor, currency } = event.total;
    const result = await this.processor.charge(trx, { userId: event.userId, amountMinor, currency, orderedAt: new Date(event.occurredAt) });
    const paymentId = randomUUID();
    await trx
      .insertInto('payment')
      .values({
        id: paymentId,
        order_id: event.orderId,
        user_id: event.userId,
        status: result.status,
        amount_minor: amountMinor,
        currency,
        reason: result.reason,
      })
      .execute();
    const outcome = { orderId: event.orderId, paymentId, amount: event.total };
    if (result.status === 'COMPLETED') {
      await enqueueEvent(trx, {
        topic: TOPICS.paymentCompleted,
        type: PaymentCompletedV1,
        event: newEvent(PaymentCompletedV1, outcome),
        key: event.userId,
      });
    } else {
      await enqueueEvent(trx, {
        topic: TOPICS.paymentFailed,
        type: PaymentFailedV1,
        event: newEvent(PaymentFailedV1, { ...outcome, reason: result.reason }),
        key: event.userId,
      });
    }
    this.metrics.payments.add(1, { outcome: result.status.toLowerCase(), currency });
    this.logger.info(`payment ${result.status.toLowerCase()}`, {
      order_id: event.orderId,
      payment_id: paymentId,
      ...(result.reason ? { reason: result.reason } : {}),
    });
  }
}
