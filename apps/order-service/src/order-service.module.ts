import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { ServiceKitModule } from '@tracehop/service-kit';
import type { OrderServiceConfig } from './config';
import { orderMigrations } from './database/migrations';
import { OrdersModule } from './orders/orders.module';
import { PaymentsModule } from './payments/payments.module';
import { UsersModule } from './users/users.module';

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
        OrdersModule,
        PaymentsModule,
        UsersModule,
      ],
    };
  }
}
