import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { IdempotencyKeyRetention } from './idempotency-key-retention';
import { OrderMetrics } from './order-metrics';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [UsersModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderMetrics, IdempotencyKeyRetention],
  // Payment outcomes complete orders and count them with the order metrics.
  exports: [OrderMetrics],
})
export class OrdersModule {}
