import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { UserRegisteredHandler } from './accounts/user-registered.handler';
import { OrderCreatedHandler } from './payments/order-created.handler';
import { SettleCompletedPayment, SettleFailedPayment } from './settlement/settlement-ledger';

/**
 * payment-service's consumer groups: `payment-service.accounts` opens accounts, `payment-service`
 * charges orders, and `payment-service.settlement` is a batch consumer writing the settlement
 * ledger, whose `poll` spans link to every payment record of the batch. Accounts and charges are
 * separate groups on purpose: a charge waiting (retrying) for its account must not hold up the
 * consumer that opens it (a kafkajs consumer fetches again only when its whole fetch is handled).
 */
@Injectable()
export class PaymentConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly userRegistered: UserRegisteredHandler,
    private readonly orderCreated: OrderCreatedHandler,
    private readonly settleCompleted: SettleCompletedPayment,
    private readonly settleFailed: SettleFailedPayment,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ groupId: 'payment-service.accounts', handlers: [this.userRegistered] });
    this.consumers.register({ groupId: 'payment-service', handlers: [this.orderCreated] });
    this.consumers.register({ groupId: 'payment-service.settlement', handlers: [this.settleCompleted, this.settleFailed], batch: true });
  }
}
