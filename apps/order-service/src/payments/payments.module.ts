import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { OrderCompletion } from './order-completion';
import { OrderConsumers } from './order-consumers';
import { PaymentCompletedHandler } from './payment-completed.handler';
import { PaymentFailedHandler } from './payment-failed.handler';

@Module({
  imports: [OrdersModule],
  providers: [OrderCompletion, PaymentCompletedHandler, PaymentFailedHandler, OrderConsumers],
})
export class PaymentsModule {}
