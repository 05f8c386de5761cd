import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { DATABASE } from '../database/database';
import type { KitTables } from '../database/kit-tables';
import { Faults } from '../faults/faults';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';
import { defineCounter } from '../metrics/instruments';
import { EventConsumer, type ConsumerMetrics } from './event-consumer';
import type { ConsumerGroupSpec } from './event-handler';

/**
 * The service's consumer groups. Apps register their groups while modules initialise; the groups
 * start once the database is migrated and their topics exist (ServiceLifecycle), and stop, leaving
 * their groups after in-flight records finish, before the application shuts down.
 */
@Injectable()
export class EventConsumers implements BeforeApplicationShutdown {
  private readonly consumers: EventConsumer[] = [];
  private readonly metrics: ConsumerMetrics = {
    outcomes: defineCounter(metrics.getMeter('@tracehop/service-kit'), 'tracehop.consumer.records', {
      description: 'Records a consumer group finished with, by outcome (applied, duplicate, retried, dead-lettered)',
      unit: '{message}',
    }),
    retries: defineCounter(metrics.getMeter('@tracehop/service-kit'), 'tracehop.consumer.retries', {
      description:
        'Failed records tried again, in place (kind transient) or through the retry topic (kind deterministic, or transient once in-place retries ran out)',
      unit: '{retry}',
    }),
  };

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(DATABASE) private readonly db: Kysely<KitTables>,
    private readonly clients: KafkaClients,
    private readonly faults: Faults,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    metrics
      .getMeter('@tracehop/service-kit')
      .createObservableGauge('tracehop.consumer.lag.age', {
        description: 'Age of the oldest record a consumer group has not applied yet, per partition (0 when caught up)',
        unit: 's',
      })
      .addCallback((result) => {
        const now = Date.now();
        for (const consumer of this.consumers) consumer.unappliedAge.observe(result, consumer.spec.groupId, now);
      });
  }

  register(spec: ConsumerGroupSpec): EventConsumer {
    const consumer = new EventConsumer(spec, {
      clients: this.clients,
      db: this.db,
      logger: this.logger,
      faults: this.faults,
      config: this.config,
      metrics: this.metrics,
      retry: {
        maxAttempts: this.config.CONSUMER_MAX_ATTEMPTS,
        retryDelayMs: this.config.CONSUMER_RETRY_DELAY_MS,
        transientAttempts: this.config.CONSUMER_TRANSIENT_ATTEMPTS,
        transientWithinMs: this.config.CONSUMER_TRANSIENT_MAX_MS,
      },
    });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Topics consumed by any group: created at boot with the ones produced. */
  get topics(): string[] {
    return this.consumers.flatMap((consumer) => consumer.topics);
  }

  get groups(): string[] {
    return this.consumers.map((consumer) => consumer.spec.groupId);
  }

  /** Groups that have not joined yet (empty when all are consuming). */
  get notReady(): string[] {
    return this.consumers.filter((consumer) => !consumer.ready).map((consumer) => consumer.spec.groupId);
  }

  startAll(): void {
    for (const consumer of this.consumers) consumer.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.consumers.map((consumer) => consumer.stop()));
  }
}
