import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { context, metrics, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ATTR_MESSAGING_DESTINATION_NAME } from '@opentelemetry/semantic-conventions/incubating';
import type { Message } from 'kafkajs';
import type { Kysely, Selectable } from 'kysely';
import type { Logger } from 'winston';
import { MESSAGE_ID_HEADER, messageInContext, RateLimitedWarning } from '@tracehop/telemetry';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { DATABASE } from '../database/database';
import type { KitTables, OutboxTable } from '../database/kit-tables';
import { KafkaClients } from '../kafka/kafka-clients';
import { LOGGER } from '../logging';
import { defineCounter, defineHistogram } from '../metrics/instruments';

/**
 * Publishes outbox rows in id order, up to OUTBOX_BATCH_SIZE per tick in one request to the broker,
 * each under the trace context stored with it, so the `send` span continues the trace of the request
 * or record that wrote the row. A full batch is followed by the next tick at once; otherwise the
 * relay waits OUTBOX_POLL_MS. Polling queries run with tracing suppressed: an idle relay must not
 * fill Jaeger with one-span traces. A failed send leaves the whole batch for the next tick:
 * at-least-once, and consumers are idempotent.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private stopped = false;
  /**
   * Rows per tick: OUTBOX_BATCH_SIZE, halved after a failed send and doubled back after a good one,
   * so a batch the broker refuses as a whole (too large) still lets its rows through in smaller ones.
   */
  private batchLimit: number;
  private lastBatchFull = false;
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
    this.batchLimit = config.OUTBOX_BATCH_SIZE;
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

  private schedule(delayMillis = this.config.OUTBOX_POLL_MS): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick = this.publishPending()
        .then(() => undefined)
        .finally(() => {
          this.tick = undefined;
          // A full batch means more is waiting: a backlog drains at the broker's pace, not the poll interval's.
          this.schedule(this.lastBatchFull ? 0 : this.config.OUTBOX_POLL_MS);
        });
    }, delayMillis);
  }

  /** One tick: publishes up to the batch limit's rows, or none if the send fails. */
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
    const limit = this.batchLimit;
    this.lastBatchFull = false;
    try {
      const sent = await context.with(suppressTracing(ROOT_CONTEXT), () =>
        this.db.transaction().execute(async (trx) => {
          const rows = await trx
            .selectFrom('outbox')
            .selectAll()
            .where('published_at', 'is', null)
            .orderBy('id')
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .execute();
          if (rows.length === 0) return 0;
          await this.publish(rows);
          await trx
            .updateTable('outbox')
            .set({ published_at: new Date() })
            .where(
              'id',
              'in',
              rows.map((row) => row.id),
            )
            .execute();
          return rows.length;
        }),
      );
      this.lastBatchFull = sent === limit;
      this.batchLimit = Math.min(this.config.OUTBOX_BATCH_SIZE, limit * 2);
      return sent;
    } catch (error) {
      // Nothing of the batch is marked: all of it goes again, in a smaller batch (consumers are idempotent).
      this.batchLimit = Math.max(1, Math.floor(limit / 2));
      this.failureWarning.say(`outbox relay: publishing failed, will retry: ${(error as Error).message}`);
      return 0;
    }
  }

  /**
   * The whole batch in one request to the broker (per topic, in id order), each record under the
   * trace context stored with its row, so its `send` span continues the trace that wrote it.
   */
  private async publish(rows: Selectable<OutboxTable>[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      const message = messageInContext(
        { key: row.message_key, value: row.payload, headers: { [MESSAGE_ID_HEADER]: row.event_id, 'content-type': 'application/json' } },
        propagation.extract(ROOT_CONTEXT, row.trace_headers),
      );
      const messages = byTopic.get(row.topic);
      if (messages) messages.push(message);
      else byTopic.set(row.topic, [message]);
    }
    await this.kafka.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    const acknowledged = Date.now();
    for (const row of rows) {
      const attributes = { [ATTR_MESSAGING_DESTINATION_NAME]: row.topic };
      this.published.add(1, attributes);
      this.lag.record(Math.max(0, acknowledged - row.created_at.getTime()) / 1000, attributes);
    }
  }
}
