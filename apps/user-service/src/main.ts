import { runService } from '@tracehop/service-kit';
import { loadUserServiceConfig } from './config';
import { UserServiceModule } from './user-service.module';

void runService({
  name: 'user-service',
  description:
    'Registers users (publishes users.user-registered.v1) and keeps their confirmed-order statistics (consumes orders.order-confirmed.v1).',
  loadConfig: loadUserServiceConfig,
  module: UserServiceModule.register,
});
