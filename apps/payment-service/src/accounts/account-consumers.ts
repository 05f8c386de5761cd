import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { UserRegisteredHandler } from './user-registered.handler';

/**
 * `payment-service.accounts` opens payment accounts. It is a group of its own, not part of
 * `payment-service`, on purpose: a charge waiting (retrying) for its account must not hold up the
 * consumer that opens it (a kafkajs consumer fetches again only when its whole fetch is handled).
 */
@Injectable()
export class AccountConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly userRegistered: UserRegisteredHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.register({
      groupId: 'payment-service.accounts',
      handlers: [this.userRegistered],
      batch: true,
      transactionPerBatch: true,
    });
  }
}
