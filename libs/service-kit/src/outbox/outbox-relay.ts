import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { context, metrics, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ATTR_MESSAGING_DESTINATION_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { defineCounter, defineHistogram, MESSAGE_ID_HEADER, RateLimitedWarning } from '@tracehop/telemetry';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'winston';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { DATABASE } from '../database/database';
import type { KitTables, OutboxTable } from '../database/kit-tables';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';

const BATCH_SIZE = 50;

/**
 * Publishes outbox rows in id order, each under the trace context stored with it, so the `send`
 * span continues the trace of the request or record that wrote the row. Polling queries run with
 * tracing suppressed: an idle relay must not fill Jaeger with one-span traces. A failed send leaves
 * the row (and the ones after it) for the next tick: at-least-once, and consumers are idempotent.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private stopped = false;
  private readonly failureWarning: RateLimitedWarning;
  private readonly meter = metrics.getMeter('@tracehop/service-kit');
  private readonly published = defineCounter(this.meter, 'tracehop.outbox.published', {
    description: 'Outbox rows published to Kafka',
    unit: '{message}',
  });
  private readonly lag = defineHistogram(this.meter, 'tracehop.outbox.lag', {
    description: 'From the outbox row being written to its record being acknowledged by Kafka',
    unit: 's',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  });

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(DATABASE) private readonly db: Kysely<KitTables>,
    private readonly kafka: KafkaClients,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.failureWarning = new RateLimitedWarning(30_000, (message) => this.logger.warn(message));
    // Counted when the metric is collected (once per export interval), not on every relay tick;
    // it keeps working while Kafka is unreachable, which is when the backlog grows.
    this.meter
      .createObservableGauge('tracehop.outbox.pending', { description: 'Outbox rows not yet published', unit: '{message}' })
      .addCallback(async (result) => {
        const count = await this.countPending().catch(() => undefined);
        if (count !== undefined) result.observe(count);
      });
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick = this.publishPending()
        .then(() => undefined)
        .finally(() => {
          this.tick = undefined;
          this.schedule();
        });
    }, this.config.OUTBOX_POLL_MS);
  }

  /** One tick: publishes up to BATCH_SIZE rows; stops at the first failure. */
  async publishPending(): Promise<number> {
    return this.kafka.connected ? this.sendBatch() : 0;
  }

  private countPending(): Promise<number> {
    return context.with(suppressTracing(ROOT_CONTEXT), async () => {
      const { count } = await this.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('published_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(count);
    });
  }

  private async sendBatch(): Promise<number> {
    const quiet = suppressTracing(ROOT_CONTEXT);
    let sent = 0;
    let failure: unknown;
    try {
      await context.with(quiet, () =>
        this.db.transaction().execute(async (trx) => {
          const rows = await trx
            .selectFrom('outbox')
            .selectAll()
            .where('published_at', 'is', null)
            .orderBy('id')
            .limit(BATCH_SIZE)
            .forUpdate()
            .skipLocked()
            .execute();
          for (const row of rows) {
            try {
              await this.send(row);
            } catch (error) {
              // Keep what was sent (committed below); this row and the rest wait for the next tick.
              failure = error;
              break;
            }
            await trx.updateTable('outbox').set({ published_at: new Date() }).where('id', '=', row.id).execute();
            sent += 1;
          }
        }),
      );
      if (failure !== undefined) throw failure;
    } catch (error) {
      this.failureWarning.say(`outbox relay: publishing failed, will retry: ${(error as Error).message}`);
    }
    return sent;
  }

  private async send(row: Selectable<OutboxTable>): Promise<void> {
    const origin: Context = propagation.extract(ROOT_CONTEXT, row.trace_headers);
    await context.with(origin, () =>
      this.kafka.producer.send({
        topic: row.topic,
        messages: [
          { key: row.message_key, value: row.payload, headers: { [MESSAGE_ID_HEADER]: row.event_id, 'content-type': 'application/json' } },
        ],
      }),
    );
    const attributes = { [ATTR_MESSAGING_DESTINATION_NAME]: row.topic };
    this.published.add(1, attributes);
    this.lag.record(Math.max(0, Date.now() - row.created_at.getTime()) / 1000, attributes);
  }
}
