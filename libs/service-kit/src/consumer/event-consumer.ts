import { SpanStatusCode, trace, type Counter } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_KAFKA_OFFSET,
} from '@opentelemetry/semantic-conventions/incubating';
import retry from 'async-retry';
import type { Batch, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { decodeEvent, deadLetterTopic, PoisonMessageError, type EventEnvelope } from '@tracehop/contracts';
import { processBatchMessage, RateLimitedWarning, recordFailure, republish, type ConsumedRecord } from '@tracehop/telemetry';
import { ATTR_TRACEHOP_CHUNK_LAST_OFFSET, ATTR_TRACEHOP_DEAD_LETTER_TOPIC, EVENT_TRACEHOP_CHUNK_ROLLED_BACK } from '../attributes';
import type { ServiceConfig } from '../config/service-config';
import type { KitTables } from '../database/kit-tables';
import type { Faults } from '../faults/faults';
import type { KafkaClients } from '../kafka/kafka-clients';
import { retryUntilStopped } from '../kafka/retry-until-stopped';
import type { AnyEventHandler, ConsumerGroupSpec } from './event-handler';

export type RecordOutcome = 'applied' | 'duplicate' | 'dead-lettered';

export interface ConsumerMetrics {
  outcomes: Counter;
  retries: Counter;
}

/** A record left unfinished on purpose (consumer stopping, partition taken away): kafkajs redelivers it. */
export class RecordNotFinished extends Error {
  constructor(why: string) {
    super(`record left for redelivery: ${why}`);
    this.name = 'RecordNotFinished';
  }
}

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis));

/**
 * One consumer group: decode (contract class) → idempotency claim + handler in one transaction.
 * Poison records (unparseable, schema-invalid, or a handler's PoisonMessageError) go to the
 * dead-letter topic (`<group>.dlq`, with the origin trace link) and the consumer moves on. Any other
 * failure is transient (Postgres down, an account not opened yet): retried in place with exponential
 * backoff, capped, for as long as it takes; only that partition waits. Stopping or losing the
 * partition leaves the record uncommitted for redelivery, and so does a failed dead-letter send:
 * nothing is lost, and a valid record never lands in the DLQ because a dependency was down.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly handlers: Map<string, AnyEventHandler>;
  private joined = false;
  private running: Promise<void> | undefined;
  private stopping = false;
  private readonly retryWarning: RateLimitedWarning;
  private readonly chunkWarning: RateLimitedWarning;

  constructor(
    readonly spec: ConsumerGroupSpec,
    private readonly deps: {
      clients: KafkaClients;
      db: Kysely<KitTables>;
      logger: Logger;
      faults: Faults;
      config: ServiceConfig;
      metrics: ConsumerMetrics;
    },
  ) {
    this.handlers = new Map(spec.handlers.map((handler) => [handler.topic, handler]));
    this.retryWarning = new RateLimitedWarning(10_000, (message) => deps.logger.warn(message));
    this.chunkWarning = new RateLimitedWarning(10_000, (message) => deps.logger.warn(message));
    this.consumer = deps.clients.kafka.consumer({ groupId: spec.groupId });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joined = true));
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.joined = false;
      deps.logger.error('kafka consumer crashed', {
        group: spec.groupId,
        error: String(event.payload.error),
        restart: event.payload.restart,
      });
      // kafkajs restarts by itself after retriable errors; after any other crash we start over.
      if (!event.payload.restart && !this.stopping)
        void this.consumer
          .disconnect()
          .catch(() => undefined)
          .finally(() => this.start());
    });
    this.consumer.on(this.consumer.events.DISCONNECT, () => (this.joined = false));
  }

  /** Joined its group and not crashed: what readiness reports. */
  get ready(): boolean {
    return this.joined;
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  /** Connects and runs in the background, retrying the connection until Kafka answers. */
  start(): void {
    this.running = retryUntilStopped(
      () => this.stopping,
      async () => {
        await this.consumer.connect();
        await this.consumer.subscribe({ topics: this.topics, fromBeginning: true });
        await this.consumer.run(
          this.spec.batch
            ? {
                partitionsConsumedConcurrently: this.deps.config.CONSUMER_CONCURRENCY,
                eachBatchAutoResolve: false,
                eachBatch: (payload) => this.handleBatch(payload),
              }
            : {
                partitionsConsumedConcurrently: this.deps.config.CONSUMER_CONCURRENCY,
                eachMessage: async ({ topic, partition, message, heartbeat }) =>
                  void (await this.handleRecord({ topic, partition, message }, heartbeat)),
              },
        );
      },
      (error) => this.deps.logger.warn('kafka consumer not started yet; retrying', { group: this.spec.groupId, error: error.message }),
    );
  }

  /** Leaves the group after the records in hand are done (kafkajs waits for running handlers). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    await this.running;
  }

  /** eachBatch: chunk by chunk in one transaction each (groups that opt in), else record by record. */
  async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const chunkSize = this.spec.transactionPerBatch ? this.deps.config.CONSUMER_TRANSACTION_RECORDS : 1;
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(start, start + chunkSize);
      if (chunk.length > 1 && (await this.applyChunk(batch, chunk, heartbeat))) {
        resolveOffset(chunk.at(-1)!.offset);
        await heartbeat();
        continue;
      }
      for (const message of chunk) {
        if (!isRunning() || isStale()) return;
        await processBatchMessage(batch, message, () =>
          this.handleRecord({ topic: batch.topic, partition: batch.partition, message }, heartbeat),
        );
        resolveOffset(message.offset);
        await heartbeat();
      }
    }
  }

  /**
   * Applies a chunk of one partition's records in one transaction: one statement claims every event
   * id, then each record's handler runs in its own process span, in offset order. False (nothing
   * applied) when a record is undecodable or anything fails: the caller then goes record by record,
   * where retries and the dead-letter topic deal with the culprit. Those records then show a second
   * process span; the batch's poll span gets an event naming the rolled-back offsets.
   */
  private async applyChunk(batch: Batch, messages: KafkaMessage[], heartbeat: () => Promise<void>): Promise<boolean> {
    const handler = this.handlers.get(batch.topic);
    if (!handler) throw new Error(`no handler for topic ${batch.topic}`);
    let events: EventEnvelope[];
    try {
      events = messages.map((message) => decodeEvent(handler.event, message.value));
    } catch {
      return false; // a poison record: the record-by-record path dead-letters it
    }
    try {
      const outcomes = await this.deps.db.transaction().execute(async (trx) => {
        const claims = await trx
          .insertInto('processed_event')
          .values(events.map((event) => ({ consumer_group: this.spec.groupId, event_id: event.eventId, topic: batch.topic })))
          .onConflict((conflict) => conflict.doNothing())
          .returning('event_id')
          .execute();
        const unclaimed = new Set(claims.map((claim) => claim.event_id));
        const applied: RecordOutcome[] = [];
        for (const [index, message] of messages.entries()) {
          const event = events[index];
          applied.push(
            await processBatchMessage(batch, message, async () => {
              const delay = this.deps.faults.value('consumerDelayMs');
              if (delay > 0) await sleep(delay);
              // A repeat of an id claimed earlier (or twice in this chunk) does nothing.
              if (!unclaimed.delete(event.eventId)) return this.duplicate(batch.topic, event);
              await handler.handle(event, trx);
              return 'applied';
            }),
          );
          // A long chunk keeps the group membership; a rebalance throws here and rolls the chunk back.
          await heartbeat();
        }
        return applied;
      });
      for (const outcome of outcomes) this.countOutcome(batch.topic, outcome);
      return true;
    } catch (error) {
      trace.getActiveSpan()?.addEvent(EVENT_TRACEHOP_CHUNK_ROLLED_BACK, {
        [ATTR_MESSAGING_KAFKA_OFFSET]: Number(messages[0].offset),
        [ATTR_TRACEHOP_CHUNK_LAST_OFFSET]: Number(messages.at(-1)!.offset),
        [ATTR_ERROR_TYPE]: error instanceof Error ? error.name : '_OTHER',
      });
      this.chunkWarning.say(
        `a chunk of ${messages.length} records failed (group ${this.spec.groupId}, ${batch.topic}); applying them one by one: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /** Runs inside the record's `process <topic>` span (the kafkajs instrumentation opened it). */
  async handleRecord(record: ConsumedRecord, heartbeat: () => Promise<void>): Promise<RecordOutcome> {
    const handler = this.handlers.get(record.topic);
    if (!handler) throw new Error(`no handler for topic ${record.topic}`);
    const delay = this.deps.faults.value('consumerDelayMs');
    if (delay > 0) await sleep(delay);
    let outcome: RecordOutcome;
    let interrupted: Error | undefined;
    try {
      const event = decodeEvent(handler.event, record.message.value);
      outcome = await retry(
        async (bail) => {
          if (this.stopping || interrupted) return bail(new RecordNotFinished(interrupted?.message ?? 'the consumer is stopping')) as never;
          try {
            return await this.applyOnce(handler, event, record);
          } catch (error) {
            if (error instanceof PoisonMessageError) return bail(error) as never; // return: a throw after bail would still schedule a retry
            throw error;
          }
        },
        {
          forever: true,
          minTimeout: this.deps.config.CONSUMER_RETRY_MIN_MS,
          maxTimeout: this.deps.config.CONSUMER_RETRY_MAX_MS,
          factor: 2,
          onRetry: (error, attempt) => {
            this.retryWarning.say(
              `event handler failed; retrying (group ${this.spec.groupId}, ${record.topic}, attempt ${attempt}): ${(error as Error).message}`,
            );
            this.deps.metrics.retries.add(1, {
              [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.spec.groupId,
              [ATTR_MESSAGING_DESTINATION_NAME]: record.topic,
            });
            // Keeps the group membership while retrying; a rebalance means the record is no longer ours.
            heartbeat().catch((error: Error) => (interrupted = error));
          },
        },
      );
    } catch (error) {
      // Not committed: kafkajs hands the record out again (to us after a restart, or to the new owner).
      if (error instanceof RecordNotFinished) throw error;
      await this.deadLetter(record, error);
      outcome = 'dead-lettered';
    }
    this.countOutcome(record.topic, outcome);
    return outcome;
  }

  private duplicate(topic: string, event: EventEnvelope): 'duplicate' {
    this.deps.logger.info('event already processed; ignoring the repeat', { group: this.spec.groupId, topic, event_id: event.eventId });
    return 'duplicate';
  }

  private countOutcome(topic: string, outcome: RecordOutcome): void {
    this.deps.metrics.outcomes.add(1, {
      [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.spec.groupId,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      outcome,
    });
  }

  /** Claims the event id and applies the handler in one transaction: a replay finds the claim and does nothing. */
  private async applyOnce(handler: AnyEventHandler, event: EventEnvelope, record: ConsumedRecord): Promise<RecordOutcome> {
    return this.deps.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('processed_event')
        .values({ consumer_group: this.spec.groupId, event_id: event.eventId, topic: record.topic })
        .onConflict((conflict) => conflict.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!claimed) return this.duplicate(record.topic, event);
      await handler.handle(event, trx);
      return 'applied';
    });
  }

  private async deadLetter(record: ConsumedRecord, error: unknown): Promise<void> {
    const target = deadLetterTopic(this.spec.groupId);
    const span = trace.getActiveSpan();
    if (span) {
      recordFailure(span, error);
      // The status says where the record went; the exception event keeps why.
      span.setStatus({ code: SpanStatusCode.ERROR, message: `dead-lettered to ${target}` });
      span.setAttribute(ATTR_TRACEHOP_DEAD_LETTER_TOPIC, target);
    }
    await republish(this.deps.clients.producer, record, target, error);
    this.deps.logger.warn('record sent to the dead-letter topic', {
      group: this.spec.groupId,
      topic: record.topic,
      partition: record.partition,
      offset: record.message.offset,
      dead_letter_topic: target,
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof PoisonMessageError ? { fields: error.fields } : {}),
    });
  }
}
