import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { ServiceKitModule } from '@tracehop/service-kit';
import type { UserServiceConfig } from './config';
import { userMigrations } from './database/migrations';
import { OrderStatsModule } from './order-stats/order-stats.module';
import { UsersModule } from './users/users.module';

@Module({})
export class UserServiceModule {
  static register(config: UserServiceConfig): DynamicModule {
    return {
      module: UserServiceModule,
      imports: [
        ServiceKitModule.forRoot({ config, migrations: userMigrations, producedTopics: [TOPICS.userRegistered] }),
        UsersModule,
        OrderStatsModule,
      ],
    };
  }
}
