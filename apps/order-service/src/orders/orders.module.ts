import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { OrderMetrics } from './order-metrics';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [UsersModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderMetrics],
  // Payment outcomes complete orders and count them with the order metrics.
  exports: [OrderMetrics],
})
export class OrdersModule {}
