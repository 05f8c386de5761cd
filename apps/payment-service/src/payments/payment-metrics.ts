import { Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { defineCounter } from '@tracehop/service-kit';

@Injectable()
export class PaymentMetrics {
  readonly payments = defineCounter(metrics.getMeter('payment-service'), 'tracehop.payments', {
    description: 'Payments by outcome (completed, declined, failed)',
    unit: '{payment}',
  });
}
