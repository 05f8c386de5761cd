import { HttpModule } from '@nestjs/axios';
import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { ServiceKitModule } from '@tracehop/service-kit';
import type { OrderServiceConfig } from './config';
import { orderMigrations } from './database/migrations';
import { OrderMetrics } from './orders/order-metrics';
import { OrdersController } from './orders/orders.controller';
import { OrdersService } from './orders/orders.service';
import { OrderCompletion } from './payments/order-completion';
import { OrderConsumers } from './payments/order-consumers';
import { PaymentCompletedHandler } from './payments/payment-completed.handler';
import { PaymentFailedHandler } from './payments/payment-failed.handler';
import { UserDirectory } from './users/user-directory';

@Module({})
export class OrderServiceModule {
  static register(config: OrderServiceConfig): DynamicModule {
    return {
      module: OrderServiceModule,
      imports: [
        ServiceKitModule.forRoot({
          config,
          migrations: orderMigrations,
          producedTopics: [TOPICS.orderCreated, TOPICS.orderConfirmed, TOPICS.orderCancelled],
        }),
        HttpModule.register({ baseURL: config.USER_SERVICE_URL, timeout: config.USER_SERVICE_TIMEOUT_MS }),
      ],
      controllers: [OrdersController],
      providers: [
        OrdersService,
        OrderMetrics,
        UserDirectory,
        OrderCompletion,
        PaymentCompletedHandler,
        PaymentFailedHandler,
        OrderConsumers,
      ],
    };
  }
}
