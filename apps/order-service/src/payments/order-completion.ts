import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import type { Logger } from 'winston';
import { newEvent, OrderCancelledV1, OrderConfirmedV1, PoisonMessageError, TOPICS } from '@tracehop/contracts';
import { enqueueEvent, LOGGER } from '@tracehop/service-kit';
import type { OrderDatabase } from '../database/schema';
import { OrderMetrics } from '../orders/order-metrics';
import { nextStatus } from '../orders/order-rules';

/** Moves a PENDING order to CONFIRMED or CANCELLED on its payment's outcome, and says so on Kafka. */
@Injectable()
export class OrderCompletion {
  constructor(
    private readonly metrics: OrderMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async complete(
    trx: Transaction<OrderDatabase>,
    orderId: string,
    outcome: { paid: true } | { paid: false; reason: string },
  ): Promise<void> {
    const order = await trx.selectFrom('customer_order').selectAll().where('id', '=', orderId).forUpdate().executeTakeFirst();
    // An order is committed before its event is published, so an outcome for an unknown order can never apply: DLQ.
    if (!order) throw new PoisonMessageError(`payment outcome for unknown order ${orderId}`, { orderId: ['no such order'] });
    const status = nextStatus(order.status, outcome.paid);
    if (!status) {
      this.logger.warn('payment outcome for an order that is already final; ignored', { order_id: orderId, status: order.status });
      return;
    }
    const completedAt = new Date();
    const reason = outcome.paid ? null : outcome.reason;
    await trx
      .updateTable('customer_order')
      .set({ status, completed_at: completedAt, cancel_reason: reason })
      .where('id', '=', orderId)
      .execute();
    const total = { amountMinor: Number(order.total_minor), currency: order.currency };
    const common = { orderId, userId: order.user_id, total };
    if (outcome.paid) {
      await enqueueEvent(trx, {
        topic: TOPICS.orderConfirmed,
        type: OrderConfirmedV1,
        event: newEvent(OrderConfirmedV1, common, completedAt),
        key: order.user_id,
      });
      this.metrics.confirmed.add(1, { currency: order.currency });
    } else {
      await enqueueEvent(trx, {
        topic: TOPICS.orderCancelled,
        type: OrderCancelledV1,
        event: newEvent(OrderCancelledV1, { ...common, reason: outcome.reason }, completedAt),
        key: order.user_id,
      });
      this.metrics.cancelled.add(1, { currency: order.currency });
    }
    this.metrics.completion.record((completedAt.getTime() - order.created_at.getTime()) / 1000, { status });
    this.logger.info(`order ${status.toLowerCase()}`, { order_id: orderId, ...(reason ? { reason } : {}) });
  }
}
