import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { UserRegisteredHandler } from './accounts/user-registered.handler';
import { OrderCreatedHandler } from './payments/order-created.handler';
import { SettleCompletedPayment, SettleFailedPayment } from './settlement/settlement-ledger';

/**
 * payment-service's two consumer groups: `payment-service` (one record at a time: accounts and
 * charges) and `payment-service.settlement`, a batch consumer writing the settlement ledger, whose
 * `poll` spans link to every payment record of the batch.
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
    this.consumers.register({ groupId: 'payment-service', handlers: [this.userRegistered, this.orderCreated] });
    this.consumers.register({ groupId: 'payment-service.settlement', handlers: [this.settleCompleted, this.settleFailed], batch: true });
  }
}
