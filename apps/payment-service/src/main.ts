import { runService } from '@tracehop/service-kit';
import { loadPaymentServiceConfig } from './config';
import { PaymentServiceModule } from './payment-service.module';

void runService({
  name: 'payment-service',
  description:
    'Opens payment accounts (users.user-registered.v1), charges orders (orders.order-created.v1 → payment-completed / payment-failed) and keeps the settlement ledger (batch consumer).',
  loadConfig: loadPaymentServiceConfig,
  module: PaymentServiceModule.register,
});
