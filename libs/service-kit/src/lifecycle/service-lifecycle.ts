import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Kysely, Migration } from 'kysely';
import type { Logger } from 'winston';
import { deadLetterTopic } from '@tracehop/contracts';
import { shutdownTelemetry } from '@tracehop/telemetry';
import { EventConsumers } from '../consumer/event-consumers';
import { DATABASE, migrateToLatest } from '../database/database';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';

export const APP_MIGRATIONS = Symbol('APP_MIGRATIONS');
export const PRODUCED_TOPICS = Symbol('PRODUCED_TOPICS');

/**
 * Boot and shutdown order around the app: migrate before anything reads the database; once
 * bootstrapped, create missing topics and connect the producer (in the background, retrying), then
 * start the consumer groups; on shutdown, after consumers left their groups and
 * the outbox relay finished its tick (their beforeApplicationShutdown hooks), close the producer and
 * the pool, and flush telemetry last so the spans and logs of the shutdown itself are kept.
 */
@Injectable()
export class ServiceLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(DATABASE) private readonly db: Kysely<unknown>,
    @Inject(APP_MIGRATIONS) private readonly migrations: Record<string, Migration>,
    @Inject(PRODUCED_TOPICS) private readonly producedTopics: string[],
    private readonly kafka: KafkaClients,
    private readonly consumers: EventConsumers,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const applied = await migrateToLatest(this.db, this.migrations);
    if (applied.length) this.logger.info('database migrated', { migrations: applied.join(', ') });
  }

  onApplicationBootstrap(): void {
    const consumed = this.consumers.topics;
    const deadLetters = this.consumers.groups.map(deadLetterTopic);
    void this.kafka
      .start([...new Set([...this.producedTopics, ...consumed, ...deadLetters])])
      .then(() => this.consumers.startAll())
      .catch((error: Error) => this.logger.error('kafka start failed', { error: error.message }));
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.kafka.stop();
    await this.db.destroy();
    this.logger.info('stopped', { signal });
    await shutdownTelemetry();
  }
}
