import { Module } from '@nestjs/common';
import { OrderCreatedHandler } from './order-created.handler';
import { PaymentConsumers } from './payment-consumers';
import { PaymentMetrics } from './payment-metrics';
import { PaymentProcessor } from './payment-processor';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  controllers: [PaymentsController],
  providers: [PaymentsService, PaymentProcessor, PaymentMetrics, OrderCreatedHandler, PaymentConsumers],
})
export class PaymentsModule {}
