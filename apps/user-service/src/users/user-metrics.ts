import { Injectable } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { defineCounter } from '@tracehop/service-kit';

@Injectable()
export class UserMetrics {
  readonly registered = defineCounter(metrics.getMeter('user-service'), 'tracehop.users.registered', {
    description: 'Users registered',
    unit: '{user}',
  });
}
