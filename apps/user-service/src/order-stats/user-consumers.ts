import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { OrderConfirmedHandler } from './order-confirmed.handler';

/** user-service's consumer group. */
@Injectable()
export class UserConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly orderConfirmed: OrderConfirmedHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ groupId: 'user-service', handlers: [this.orderConfirmed], batch: true, transactionPerBatch: true });
  }
}
