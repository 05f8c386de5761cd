import { runService } from '@tracehop/service-kit';
import { loadOrderServiceConfig } from './config';
import { OrderServiceModule } from './order-service.module';

void runService({
  name: 'order-service',
  description:
    'Places orders (checks the user over HTTP, publishes orders.order-created.v1 through its outbox) and settles them on payment outcomes (publishes order-confirmed / order-cancelled).',
  loadConfig: loadOrderServiceConfig,
  module: OrderServiceModule.register,
});
