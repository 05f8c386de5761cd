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
import { OutboxClaims, type Claim } from './outbox-claims';
import { classifySendFailure } from './send-failure';

/** Longest error text kept in `outbox.last_error` (a broker message, not a payload). */
const LAST_ERROR_MAX_CHARS = 1000;

const suppressed = <T>(work: () => Promise<T>): Promise<T> => context.with(suppressTracing(ROOT_CONTEXT), work);

/**
 * Publishes outbox rows in id order, up to OUTBOX_BATCH_SIZE per tick in one request to the broker,
 * each under the trace context stored with it, so the `send` span continues the trace of the request
 * or record that wrote the row. A tick claims its rows for OUTBOX_CLAIM_LEASE_MS in one short
 * statement, sends, then marks them published in another: no row lock is held while Kafka answers,
 * and another instance's relay skips the claimed rows (and their keys' later rows) until the claim
 * is marked, given back or, if this relay died, expired. A full batch is followed by the next tick
 * at once; otherwise the relay waits OUTBOX_POLL_MS. Polling queries run with tracing suppressed: an
 * idle relay must not fill Jaeger with one-span traces.
 *
 * Failed sends (send-failure.ts): Kafka unavailable gives the batch back as it is; a batch the broker
 * refused is given back and the next ones are halved down to single rows, so the culprit ends alone;
 * a row refused alone counts an attempt and is failed at once for a permanent refusal (too large,
 * topic not authorised) or after OUTBOX_MAX_ATTEMPTS: it leaves the queue (metric, warning) and only
 * its own key's later rows wait for it. At-least-once: consumers are idempotent.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private tick: Promise<void> | undefined;
  private stopped = false;
  /**
   * Rows per tick: OUTBOX_BATCH_SIZE, halved after a refused send and doubled back after a good one,
   * so a batch the broker refuses as a whole (too large) still lets its rows through in smaller ones.
   */
  private batchLimit: number;
  private lastBatchFull = false;
  private readonly claims: OutboxClaims;
  private readonly failureWarning: RateLimitedWarning;
  private readonly meter = metrics.getMeter('@tracehop/service-kit');
  private readonly published = defineCounter(this.meter, 'tracehop.outbox.published', {
    description: 'Outbox rows published to Kafka',
    unit: '{message}',
  });
  private readonly failed = defineCounter(this.meter, 'tracehop.outbox.failed', {
    description: 'Outbox rows the relay gave up on (refused by the broker), left for an operator to re-queue',
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
    this.claims = new OutboxClaims(db);
    this.failureWarning = new RateLimitedWarning(30_000, (message) => this.logger.warn(message));
    this.batchLimit = config.OUTBOX_BATCH_SIZE;
    // Counted when the metric is collected (once per export interval), not on every relay tick;
    // it keeps working while Kafka is unreachable, which is when the backlog grows.
    this.meter
      .createObservableGauge('tracehop.outbox.pending', {
        description: 'Outbox rows not yet published (failed ones excluded)',
        unit: '{message}',
      })
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

  /** One tick: publishes up to the batch limit's rows and returns how many, or 0 if the send failed. */
  async publishPending(): Promise<number> {
    if (!this.kafka.connected) return 0;
    this.lastBatchFull = false;
    try {
      return await this.sendBatch(this.batchLimit);
    } catch (error) {
      // The database, not Kafka: claims not given back expire with their lease.
      this.failureWarning.say(`outbox relay: database unavailable, will retry: ${(error as Error).message}`);
      return 0;
    }
  }

  private countPending(): Promise<number> {
    return suppressed(async () => {
      const { count } = await this.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('published_at', 'is', null)
        .where('failed_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(count);
    });
  }

  private async sendBatch(limit: number): Promise<number> {
    const claim = await suppressed(() => this.claims.claim(limit, this.config.OUTBOX_CLAIM_LEASE_MS));
    if (claim.rows.length === 0) return 0;
    try {
      await suppressed(() => this.publish(claim.rows));
    } catch (error) {
      await suppressed(() => this.afterFailedSend(claim, error));
      return 0;
    }
    await suppressed(() => this.claims.markPublished(claim.rows.map((row) => row.id)));
    this.lastBatchFull = claim.rows.length === limit;
    this.batchLimit = Math.min(this.config.OUTBOX_BATCH_SIZE, limit * 2);
    return claim.rows.length;
  }

  private async afterFailedSend(claim: Claim, error: unknown): Promise<void> {
    const failure = classifySendFailure(error);
    if (failure.kind !== 'refused') {
      // Not the rows' fault: they go again as they are, no attempt counted.
      await this.claims.release(claim);
      const what =
        failure.kind === 'unavailable' ? 'Kafka unavailable' : 'the Kafka producer is out of step with the broker (a restart replaces it)';
      this.failureWarning.say(`outbox relay: ${what}, will retry: ${failure.reason}`);
      return;
    }
    // Half the batch that was refused (it may have been smaller than the limit), down to single rows.
    this.batchLimit = Math.max(1, Math.floor(claim.rows.length / 2));
    if (claim.rows.length > 1) {
      // The culprit is not known yet: the rows go again in smaller batches (halving isolates it).
      await this.claims.release(claim);
      this.failureWarning.say(`outbox relay: Kafka refused a batch of ${claim.rows.length}, retrying smaller ones: ${failure.reason}`);
      return;
    }
    const [row] = claim.rows;
    const reason = failure.reason.slice(0, LAST_ERROR_MAX_CHARS);
    const outcome = await this.claims.recordRefusal(
      claim,
      row.id,
      { reason, permanent: failure.permanent },
      this.config.OUTBOX_MAX_ATTEMPTS,
    );
    if (!outcome?.failed) {
      this.failureWarning.say(`outbox relay: Kafka refused row ${row.id}, will retry: ${reason}`);
      return;
    }
    this.failed.add(1, { [ATTR_MESSAGING_DESTINATION_NAME]: row.topic });
    this.logger.warn(
      `outbox relay: row ${row.id} failed after ${outcome.attempts} attempt(s); later rows of its key wait until it is re-queued or deleted: ${reason}`,
      { outbox_id: row.id, event_id: row.event_id, [ATTR_MESSAGING_DESTINATION_NAME]: row.topic, attempts: outcome.attempts },
    );
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
