import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { ServiceKitModule } from '@tracehop/service-kit';
import type { UserServiceConfig } from './config';
import { userMigrations } from './database/migrations';
import { OrderConfirmedHandler } from './order-stats/order-confirmed.handler';
import { UserConsumers } from './order-stats/user-consumers';
import { UserMetrics } from './users/user-metrics';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

@Module({})
export class UserServiceModule {
  static register(config: UserServiceConfig): DynamicModule {
    return {
      module: UserServiceModule,
      imports: [ServiceKitModule.forRoot({ config, migrations: userMigrations, producedTopics: [TOPICS.userRegistered] })],
      controllers: [UsersController],
      providers: [UsersService, UserMetrics, OrderConfirmedHandler, UserConsumers],
    };
  }
}
