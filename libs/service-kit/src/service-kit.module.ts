import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Migration } from 'kysely';
import type { Logger } from 'winston';
import { createLogger } from '@tracehop/telemetry';
import { SERVICE_CONFIG, env, type ServiceConfig } from './config/service-config';
import { EventConsumers } from './consumer/event-consumers';
import { createDatabase, DATABASE } from './database/database';
import { AdminController } from './faults/admin.controller';
import { Faults, type FaultDefinition } from './faults/faults';
import { HealthController } from './health/health.controller';
import { HttpRouteInterceptor } from './http/http-route.interceptor';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { requestValidationPipe } from './http/validation';
import { KafkaClients } from './kafka/kafka-clients';
import { APP_MIGRATIONS, PRODUCED_TOPICS, ServiceLifecycle } from './lifecycle/service-lifecycle';
import { LOGGER } from './logging';
import { OutboxRelay } from './outbox/outbox-relay';
import { RetentionJobs } from './retention/retention-jobs';

export interface ServiceKitOptions {
  config: ServiceConfig;
  /** The app's migrations (service-kit's own run first). */
  migrations: Record<string, Migration>;
  /** Topics the app publishes to through the outbox (created at boot if missing). */
  producedTopics: string[];
  /** The app's failure-injection switches; `consumerDelayMs` (CONSUMER_DELAY_MS) is always there. */
  faults?: Record<string, FaultDefinition>;
}

/**
 * What every tracehop service has: typed config, Winston logger, Kysely database with migrations,
 * Kafka producer + outbox relay + consumer groups, retention jobs, health (terminus), problem-details errors,
 * request validation, HTTP route naming for spans, and loopback-only failure injection.
 */
@Module({})
export class ServiceKitModule {
  static forRoot(options: ServiceKitOptions): DynamicModule {
    const { config } = options;
    const faults = new Faults({
      consumerDelayMs: {
        description: 'Every consumed record waits this long first (slow consumer)',
        schema: env.millis(),
        initial: config.CONSUMER_DELAY_MS,
      },
      ...options.faults,
    });
    return {
      module: ServiceKitModule,
      global: true,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false })],
      controllers: [HealthController, ...(config.ADMIN_ENDPOINTS === 'on' ? [AdminController] : [])],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: createLogger({ serviceName: config.serviceName }) },
        {
          provide: DATABASE,
          useFactory: (logger: Logger) => createDatabase(config.DATABASE_URL, config.serviceName, logger),
          inject: [LOGGER],
        },
        { provide: APP_MIGRATIONS, useValue: options.migrations },
        { provide: PRODUCED_TOPICS, useValue: options.producedTopics },
        { provide: Faults, useValue: faults },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: requestValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: HttpRouteInterceptor },
        KafkaClients,
        EventConsumers,
        OutboxRelay,
        RetentionJobs,
        ServiceLifecycle,
      ],
      exports: [SERVICE_CONFIG, LOGGER, DATABASE, Faults, KafkaClients, EventConsumers, RetentionJobs],
    };
  }
}
