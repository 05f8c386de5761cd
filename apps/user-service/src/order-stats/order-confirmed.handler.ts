import { Inject, Injectable } from '@nestjs/common';
import { sql, type Transaction } from 'kysely';
import type { Logger } from 'winston';
import { OrderConfirmedV1, PoisonMessageError, TOPICS } from '@tracehop/contracts';
import { LOGGER, type EventHandler } from '@tracehop/service-kit';
import type { UserDatabase } from '../database/schema';

/** The async hop back to where the story started: a confirmed order counts towards the user's stats. */
@Injectable()
export class OrderConfirmedHandler implements EventHandler<OrderConfirmedV1, UserDatabase> {
  readonly topic = TOPICS.orderConfirmed;
  readonly event = OrderConfirmedV1;

  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  async handle(event: OrderConfirmedV1, trx: Transaction<UserDatabase>): Promise<void> {
    // Orders are placed only for existing users, so a confirmation for an unknown user can never apply: DLQ.
    const user = await trx.selectFrom('app_user').select('id').where('id', '=', event.userId).executeTakeFirst();
    if (!user)
      throw new PoisonMessageError(`confirmed order ${event.orderId} for unknown user ${event.userId}`, { userId: ['no such user'] });
    const at = new Date(event.occurredAt);
    await trx
      .insertInto('user_order_stats')
      .values({
        user_id: event.userId,
        currency: event.total.currency,
        confirmed_orders: 1,
        confirmed_total_minor: event.total.amountMinor,
        last_confirmed_at: at,
      })
      .onConflict((conflict) =>
        conflict.columns(['user_id', 'currency']).doUpdateSet({
          confirmed_orders: sql`user_order_stats.confirmed_orders + 1`,
          confirmed_total_minor: sql`user_order_stats.confirmed_total_minor + excluded.confirmed_total_minor`,
          last_confirmed_at: sql`greatest(user_order_stats.last_confirmed_at, excluded.last_confirmed_at)`,
        }),
      )
      .execute();
    this.logger.info('confirmed order counted in the user statistics', { user_id: event.userId, order_id: event.orderId });
  }
}
