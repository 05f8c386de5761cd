import { Inject, Injectable } from '@nestjs/common';
import type { Transaction } from 'kysely';
import type { Logger } from 'winston';
import { CURRENCIES, TOPICS, UserRegisteredV1 } from '@tracehop/contracts';
import { LOGGER, SERVICE_CONFIG, type EventHandler } from '@tracehop/service-kit';
import type { PaymentServiceConfig } from '../config';
import type { PaymentDatabase } from '../database/schema';

/** A registered user gets a payment account: a wallet per currency with the starting balance. */
@Injectable()
export class UserRegisteredHandler implements EventHandler<UserRegisteredV1, PaymentDatabase> {
  readonly topic = TOPICS.userRegistered;
  readonly event = UserRegisteredV1;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: PaymentServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(event: UserRegisteredV1, trx: Transaction<PaymentDatabase>): Promise<void> {
    const balance = this.config.PAYMENT_STARTING_BALANCE_MINOR;
    await trx
      .insertInto('account_balance')
      .values(CURRENCIES.map((currency) => ({ user_id: event.userId, currency, balance_minor: balance })))
      .onConflict((conflict) => conflict.columns(['user_id', 'currency']).doNothing())
      .execute();
    this.logger.info('payment account opened', { user_id: event.userId, starting_balance_minor: balance });
  }
}
