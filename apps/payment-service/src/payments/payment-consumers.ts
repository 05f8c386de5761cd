import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { OrderCreatedHandler } from './order-created.handler';

/** `payment-service` charges orders; their accounts are opened by another group (accounts/account-consumers.ts). */
@Injectable()
export class PaymentConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly orderCreated: OrderCreatedHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ groupId: 'payment-service', handlers: [this.orderCreated], batch: true, transactionPerBatch: true });
  }
}
