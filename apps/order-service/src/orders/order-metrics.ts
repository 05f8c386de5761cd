import { Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { defineCounter, defineHistogram } from '@tracehop/service-kit';

const meter = metrics.getMeter('order-service');

@Injectable()
export class OrderMetrics {
  readonly created = defineCounter(meter, 'tracehop.orders.created', { description: 'Orders placed (PENDING)', unit: '{order}' });
  readonly confirmed = defineCounter(meter, 'tracehop.orders.confirmed', {
    description: 'Orders confirmed after payment',
    unit: '{order}',
  });
  readonly cancelled = defineCounter(meter, 'tracehop.orders.cancelled', {
    description: 'Orders cancelled (payment declined or failed)',
    unit: '{order}',
  });
  readonly completion = defineHistogram(meter, 'tracehop.orders.completion.duration', {
    description: 'From order created to a terminal state (CONFIRMED or CANCELLED)',
    unit: 's',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
  });
}
