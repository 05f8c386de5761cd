import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { env, ServiceKitModule } from '@tracehop/service-kit';
import { UserRegisteredHandler } from './accounts/user-registered.handler';
import type { PaymentServiceConfig } from './config';
import { paymentMigrations } from './database/migrations';
import { PaymentConsumers } from './payment-consumers';
import { OrderCreatedHandler } from './payments/order-created.handler';
import { PaymentMetrics } from './payments/payment-metrics';
import { PaymentProcessor } from './payments/payment-processor';
import { PaymentsController } from './payments/payments.controller';
import { SettleCompletedPayment, SettleFailedPayment } from './settlement/settlement-ledger';

@Module({})
export class PaymentServiceModule {
  static register(config: PaymentServiceConfig): DynamicModule {
    return {
      module: PaymentServiceModule,
      imports: [
        ServiceKitModule.forRoot({
          config,
          migrations: paymentMigrations,
          producedTopics: [TOPICS.paymentCompleted, TOPICS.paymentFailed],
          faults: {
            processorLatencyMs: {
              description: 'Simulated payment processor latency per charge',
              schema: env.millis(),
              initial: config.PAYMENT_PROCESSOR_LATENCY_MS,
            },
            processorFailureRate: {
              description: 'Share of charges the processor fails (0-1)',
              schema: env.rate(),
              initial: config.PAYMENT_PROCESSOR_FAILURE_RATE,
            },
          },
        }),
      ],
      controllers: [PaymentsController],
      providers: [
        PaymentProcessor,
        PaymentMetrics,
        UserRegisteredHandler,
        OrderCreatedHandler,
        SettleCompletedPayment,
        SettleFailedPayment,
        PaymentConsumers,
      ],
    };
  }
}
