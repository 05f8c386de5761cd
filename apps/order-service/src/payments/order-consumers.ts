import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventConsumers } from '@tracehop/service-kit';
import { PaymentCompletedHandler } from './payment-completed.handler';
import { PaymentFailedHandler } from './payment-failed.handler';

/** order-service's consumer group: payment outcomes settle orders. */
@Injectable()
export class OrderConsumers implements OnModuleInit {
  constructor(
    private readonly consumers: EventConsumers,
    private readonly completed: PaymentCompletedHandler,
    private readonly failed: PaymentFailedHandler,
  ) {}

  onModuleInit(): void {
    this.consumers.register({ groupId: 'order-service', handlers: [this.completed, this.failed], batch: true, transactionPerBatch: true });
  }
}
