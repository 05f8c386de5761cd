import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@tracehop/contracts';
import { env, ServiceKitModule } from '@tracehop/service-kit';
import { AccountsModule } from './accounts/accounts.module';
import type { PaymentServiceConfig } from './config';
import { paymentMigrations } from './database/migrations';
import { PaymentsModule } from './payments/payments.module';
import { SettlementModule } from './settlement/settlement.module';

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
        // Feature modules initialise in this order, so their consumer groups register and start in it too.
        AccountsModule,
        PaymentsModule,
        SettlementModule,
      ],
    };
  }
}
