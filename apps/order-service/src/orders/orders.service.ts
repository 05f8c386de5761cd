import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'winston';
import { newEvent, OrderCreatedV1, TOPICS } from '@tracehop/contracts';
import { DATABASE, enqueueEvent, isUniqueViolation, LOGGER, ProblemException } from '@tracehop/service-kit';
import type { OrderDatabase, OrderTable } from '../database/schema';
import { UserDirectory } from '../users/user-directory';
import type { CreateOrderDto } from './create-order.dto';
import { OrderMetrics } from './order-metrics';
import { orderTotal } from './order-rules';
import type { OrderView } from './order.view';
import { requestFingerprint } from './request-fingerprint';

export interface PlacedOrder {
  order: OrderView;
  /** True when an Idempotency-Key matched an earlier request: nothing new was created. */
  replayed: boolean;
}

function orderView(row: Selectable<OrderTable>): OrderView {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    currency: row.currency,
    totalMinor: Number(row.total_minor),
    items: row.lines,
    cancelReason: row.cancel_reason,
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

@Injectable()
export class OrdersService {
  constructor(
    @Inject(DATABASE) private readonly db: Kysely<OrderDatabase>,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly users: UserDirectory,
    private readonly metrics: OrderMetrics,
  ) {}

  /**
   * Checks the user over HTTP, then stores the PENDING order, its Idempotency-Key and its
   * order-created event in one transaction; the outbox relay publishes the event.
   */
  async place(request: CreateOrderDto, idempotencyKey: string | undefined): Promise<PlacedOrder> {
    const fingerprint = requestFingerprint(request);
    if (idempotencyKey) {
      const earlier = await this.earlierOrder(idempotencyKey, fingerprint);
      if (earlier) return { order: earlier, replayed: true };
    }
    await this.users.assertExists(request.userId);
    const id = randomUUID();
    const total = orderTotal(request.items);
    let placed: Selectable<OrderTable>;
    try {
      placed = await this.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('customer_order')
          .values({
            id,
            user_id: request.userId,
            status: 'PENDING',
            currency: request.currency,
            total_minor: total,
            lines: JSON.stringify(request.items),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        if (idempotencyKey)
          await trx.insertInto('idempotency_key').values({ key: idempotencyKey, request_hash: fingerprint, order_id: id }).execute();
        const event = newEvent(OrderCreatedV1, {
          orderId: id,
          userId: request.userId,
          lines: request.items.map((item) => ({
            sku: item.sku,
            quantity: item.quantity,
            unitPrice: { amountMinor: item.unitPriceMinor, currency: request.currency },
          })),
          total: { amountMinor: total, currency: request.currency },
        });
        // Keyed by user: every event of a user's orders lands in one partition, so batch transactions of
        // different partitions never touch the same account or statistics row (docs/services.md).
        await enqueueEvent(trx, { topic: TOPICS.orderCreated, type: OrderCreatedV1, event, key: request.userId });
        return row;
      });
    } catch (error) {
      // Two requests with one key at the same time: the loser answers with the winner's order.
      if (idempotencyKey && isUniqueViolation(error)) {
        const earlier = await this.earlierOrder(idempotencyKey, fingerprint);
        if (earlier) return { order: earlier, replayed: true };
      }
      throw error;
    }
    this.metrics.created.add(1, { currency: request.currency });
    this.logger.info('order placed', { order_id: id, user_id: request.userId, total_minor: total, currency: request.currency });
    return { order: orderView(placed), replayed: false };
  }

  async get(id: string): Promise<OrderView> {
    const row = await this.db.selectFrom('customer_order').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw ProblemException.of(404, 'order-not-found', 'No such order', `No order has id ${id}.`);
    return orderView(row);
  }

  /** The order an Idempotency-Key made, if any; the same key with a different body is refused (422). */
  private async earlierOrder(key: string, fingerprint: string): Promise<OrderView | undefined> {
    const earlier = await this.db.selectFrom('idempotency_key').selectAll().where('key', '=', key).executeTakeFirst();
    if (!earlier) return undefined;
    if (earlier.request_hash !== fingerprint) {
      throw ProblemException.of(
        422,
        'idempotency-key-reused',
        'Idempotency-Key already used for a different request',
        'Send a new key for a new order; repeat a key only to retry the same request.',
        {
          errors: { 'Idempotency-Key': ['was used with a different request body'] },
        },
      );
    }
    return this.get(earlier.order_id);
  }
}
