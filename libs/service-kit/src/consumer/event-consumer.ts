import { SpanStatusCode, trace, type Counter } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_KAFKA_OFFSET,
} from '@opentelemetry/semantic-conventions/incubating';
import type { Batch, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { decodeEvent, deadLetterTopic, PoisonMessageError, retryTopic, type EventEnvelope } from '@tracehop/contracts';
import { errorTypeOf, processBatchMessage, RateLimitedWarning, recordFailure, republish, type ConsumedRecord } from '@tracehop/telemetry';
import { ATTR_TRACEHOP_CHUNK_LAST_OFFSET, ATTR_TRACEHOP_DEAD_LETTER_TOPIC, EVENT_TRACEHOP_CHUNK_ROLLED_BACK } from '../attributes';
import type { ServiceConfig } from '../config/service-config';
import type { KitTables } from '../database/kit-tables';
import type { Faults } from '../faults/faults';
import type { KafkaClients } from '../kafka/kafka-clients';
import { interruptibleSleep } from '../lifecycle/interruptible-sleep';
import { retryUntilStopped } from '../lifecycle/retry-until-stopped';
import type { AnyEventHandler, ConsumerGroupSpec } from './event-handler';
import { classifyFailure } from './failure-kind';
import { failedAttemptsOf, originalTopicOf, withFailedAttempts } from './retry-record';
import { CONSUMER_RETRY_DEFAULTS, type ConsumerRetrySettings } from './retry-settings';
import { retryTransient, TransientRetriesExhausted } from './transient-retry';
import { UnappliedAge } from './unapplied-age';

/** `retried`: sent to the group's retry topic, to be tried again after CONSUMER_RETRY_DELAY_MS. */
export type RecordOutcome = 'applied' | 'duplicate' | 'retried' | 'dead-lettered';

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

/**
 * How long the broker holds a fetch when no records are waiting (kafkajs' default is 5 s). Leaving the
 * group waits for the fetch in flight, so this bounds how long stop() takes; an idle group asks twice a
 * second, and under load fetches return as soon as records arrive, so throughput does not change.
 */
const FETCH_MAX_WAIT_MS = 500;

/** How often a record waiting out its retry delay in place (eachMessage groups) heartbeats: kafkajs' default interval. */
const HEARTBEAT_INTERVAL_MS = 3_000;

export interface EventConsumerDeps {
  clients: KafkaClients;
  db: Kysely<KitTables>;
  logger: Logger;
  faults: Faults;
  config: ServiceConfig;
  metrics: ConsumerMetrics;
  /** Retry and dead-letter policy; CONSUMER_RETRY_DEFAULTS for what is not given. */
  retry?: Partial<ConsumerRetrySettings>;
}

/**
 * One consumer group: decode (contract class) → idempotency claim + handler in one transaction.
 * Failures, by classifyFailure: poison records (unparseable, schema-invalid, a handler's
 * PoisonMessageError) go to the dead-letter topic (`<group>.dlq`) at once; deterministic ones (a
 * constraint violation, a TypeError) go to the group's retry topic (`<group>.retry`), which the group
 * consumes itself, trying each record again after a delay with the handler of its original topic, and
 * to the DLQ after `maxAttempts`; transient ones (Postgres or the broker down, anything unrecognised)
 * are retried in place with capped exponential backoff, bounded by attempts and time, then moved to
 * the retry topic without spending an attempt, so no partition stalls for long and a valid record
 * never lands in the DLQ because a dependency was down. Republished records keep the origin trace
 * link and their original topic, partition and offset. Stopping ends any wait at once and, like
 * losing the partition or a failed republish, leaves the record uncommitted for redelivery.
 */
export class EventConsumer {
  private readonly consumer: Consumer;
  private readonly handlers: Map<string, AnyEventHandler>;
  private readonly retryTopic: string;
  private readonly retry: ConsumerRetrySettings;
  private joined = false;
  private running: Promise<void> | undefined;
  /** Aborted by stop(): ends every backoff and delay at once, with the reason RecordNotFinished. */
  private readonly stopping = new AbortController();
  /** Resumes of retry-topic partitions paused until their next record is due. */
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private readonly retryWarning: RateLimitedWarning;
  private readonly chunkWarning: RateLimitedWarning;
  /** Lag in seconds per partition, read by the consumer lag age gauge (EventConsumers). */
  readonly unappliedAge = new UnappliedAge();

  constructor(
    readonly spec: ConsumerGroupSpec,
    private readonly deps: EventConsumerDeps,
  ) {
    this.handlers = new Map(spec.handlers.map((handler) => [handler.topic, handler]));
    this.retryTopic = retryTopic(spec.groupId);
    this.retry = { ...CONSUMER_RETRY_DEFAULTS, ...deps.retry };
    this.retryWarning = new RateLimitedWarning(10_000, (message) => deps.logger.warn(message));
    this.chunkWarning = new RateLimitedWarning(10_000, (message) => deps.logger.warn(message));
    this.consumer = deps.clients.kafka.consumer({ groupId: spec.groupId, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.unappliedAge.reset();
    });
    this.consumer.on(this.consumer.events.CRASH, (event) => {
      this.joined = false;
      deps.logger.error('kafka consumer crashed', {
        group: spec.groupId,
        error: String(event.payload.error),
        restart: event.payload.restart,
      });
      // kafkajs restarts by itself after retriable errors; after any other crash we start over.
      if (!event.payload.restart && !this.stopping.signal.aborted)
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

  /** The topics the group consumes: its handlers' and its retry topic (created at boot with the others). */
  get topics(): string[] {
    return [...this.handlers.keys(), this.retryTopic];
  }

  /** Connects and runs in the background, retrying the connection until Kafka answers. */
  start(): void {
    this.running = retryUntilStopped(
      this.stopping.signal,
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

  /**
   * Leaves the group after the records in hand are done (kafkajs waits for running handlers); a record
   * in a backoff or a retry delay is given up at once, uncommitted, for redelivery.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new RecordNotFinished('the consumer is stopping'));
    for (const timer of this.resumeTimers) clearTimeout(timer);
    await this.consumer.disconnect();
    await this.running;
  }

  /**
   * eachBatch: chunk by chunk in one transaction each (groups that opt in), else record by record.
   * The retry topic goes record by record; a record there not due yet pauses its partition until it is.
   */
  async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, pause }: EachBatchPayload): Promise<void> {
    const fromRetryTopic = batch.topic === this.retryTopic;
    const chunkSize = this.spec.transactionPerBatch && !fromRetryTopic ? this.deps.config.CONSUMER_TRANSACTION_RECORDS : 1;
    for (let start = 0; start < batch.messages.length; start += chunkSize) {
      if (!isRunning() || isStale()) break;
      const chunk = batch.messages.slice(start, start + chunkSize);
      this.unappliedAge.waiting(batch.topic, batch.partition, chunk[0]);
      if (chunk.length > 1 && (await this.applyChunk(batch, chunk, heartbeat))) {
        resolveOffset(chunk.at(-1)!.offset);
        await heartbeat();
        continue;
      }
      for (const message of chunk) {
        if (!isRunning() || isStale()) return;
        this.unappliedAge.waiting(batch.topic, batch.partition, message);
        if (this.pausedUntilDue({ topic: batch.topic, partition: batch.partition, message }, pause)) return;
        await processBatchMessage(batch, message, () =>
          this.handleRecord({ topic: batch.topic, partition: batch.partition, message }, heartbeat),
        );
        resolveOffset(message.offset);
        await heartbeat();
      }
    }
    if (isRunning() && !isStale() && batch.messages.length)
      this.unappliedAge.batchDone(batch.topic, batch.partition, batch.messages.at(-1)!, batch.offsetLag());
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
              await this.injectedDelay();
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
        [ATTR_ERROR_TYPE]: errorTypeOf(error),
      });
      this.chunkWarning.say(
        `a chunk of ${messages.length} records failed (group ${this.spec.groupId}, ${batch.topic}); applying them one by one: ${(error as Error).message}`,
      );
      return false;
    }
  }

  /**
   * A record of the retry topic not due yet (sent less than the retry delay ago): pauses its partition
   * and resumes it when the record is due; kafkajs then fetches it again from the same offset. The
   * fetch is not held meanwhile: kafkajs fetches again only once every batch of a fetch is handled,
   * so waiting inside the handler would hold up every partition of the broker.
   */
  private pausedUntilDue(record: ConsumedRecord, pause: () => () => void): boolean {
    const wait = this.dueIn(record);
    if (!(wait > 0)) return false;
    const resume = pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, wait).unref();
    this.resumeTimers.add(timer);
    return true;
  }

  /** Milliseconds until a retry-topic record is due (its send time plus the retry delay); ≤ 0 or NaN: now. */
  private dueIn(record: ConsumedRecord): number {
    return record.topic === this.retryTopic ? Number(record.message.timestamp) + this.retry.retryDelayMs - Date.now() : 0;
  }

  /** Runs inside the record's `process <topic>` span (the kafkajs instrumentation opened it). */
  async handleRecord(record: ConsumedRecord, heartbeat: () => Promise<void>): Promise<RecordOutcome> {
    if (record.topic !== this.retryTopic && !this.handlers.has(record.topic)) throw new Error(`no handler for topic ${record.topic}`);
    // A failed heartbeat means the partition went to another member: the record is no longer ours.
    const lost = new AbortController();
    const signal = AbortSignal.any([this.stopping.signal, lost.signal]);
    const keepMembership = () => void heartbeat().catch((error: Error) => lost.abort(new RecordNotFinished(error.message)));
    await this.injectedDelay(signal);
    await this.waitUntilDue(record, signal, keepMembership);
    let outcome: RecordOutcome;
    try {
      const handler = this.handlerFor(record);
      const event = decodeEvent(handler.event, record.message.value);
      outcome = await retryTransient(() => this.applyOnce(handler, event, record), {
        bounds: {
          attempts: this.retry.transientAttempts,
          withinMs: this.retry.transientWithinMs,
          minDelayMs: this.deps.config.CONSUMER_RETRY_MIN_MS,
          maxDelayMs: this.deps.config.CONSUMER_RETRY_MAX_MS,
        },
        signal,
        isTransient: (error) => classifyFailure(error) === 'transient',
        beforeRetry: (error, attempt) => {
          this.retryWarning.say(
            `event handler failed; retrying (group ${this.spec.groupId}, ${record.topic}, attempt ${attempt}): ${(error as Error).message}`,
          );
          this.countRetry(record.topic, error, 'transient');
          keepMembership();
        },
      });
    } catch (error) {
      // Not committed: kafkajs hands the record out again (to us after a restart, or to the new owner).
      if (error instanceof RecordNotFinished) throw error;
      outcome = await this.afterFailure(record, error);
    }
    this.countOutcome(record.topic, outcome);
    return outcome;
  }

  /** The failure-injection delay (CONSUMER_DELAY_MS) every record waits before its handler. */
  private async injectedDelay(signal: AbortSignal = this.stopping.signal): Promise<void> {
    const delay = this.deps.faults.value('consumerDelayMs');
    if (delay > 0) await interruptibleSleep(delay, signal);
  }

  /** eachMessage groups (no pause between fetches) wait for a retry record in the handler, heartbeating. */
  private async waitUntilDue(record: ConsumedRecord, signal: AbortSignal, keepMembership: () => void): Promise<void> {
    for (let wait = this.dueIn(record); wait > 0; wait = this.dueIn(record)) {
      await interruptibleSleep(Math.min(wait, HEARTBEAT_INTERVAL_MS), signal);
      keepMembership();
    }
  }

  /** The handler of the record's topic; for the retry topic, of the topic the record came from first. */
  private handlerFor(record: ConsumedRecord): AnyEventHandler {
    const topic = record.topic === this.retryTopic ? originalTopicOf(record) : record.topic;
    const handler = topic === undefined ? undefined : this.handlers.get(topic);
    if (!handler) throw new PoisonMessageError(`${record.topic}: no handler for the original topic ${topic ?? '(not recorded)'}`);
    return handler;
  }

  /**
   * Where a record goes after its failure: the retry topic (a transient failure that outlasted its
   * in-place retries, keeping its attempts; a deterministic one with attempts left), else the DLQ.
   */
  private async afterFailure(record: ConsumedRecord, error: unknown): Promise<RecordOutcome> {
    if (error instanceof TransientRetriesExhausted) return this.sendForRetry(record, error.cause, 'transient');
    if (classifyFailure(error) === 'poison') return this.deadLetter(record, error);
    const failed = withFailedAttempts(record, failedAttemptsOf(record) + 1);
    return failedAttemptsOf(failed) >= this.retry.maxAttempts
      ? this.deadLetter(failed, error)
      : this.sendForRetry(failed, error, 'deterministic');
  }

  private async sendForRetry(record: ConsumedRecord, error: unknown, kind: 'transient' | 'deterministic'): Promise<'retried'> {
    await this.republishTo(this.retryTopic, record, error);
    this.countRetry(record.topic, error, kind);
    return 'retried';
  }

  private async deadLetter(record: ConsumedRecord, error: unknown): Promise<'dead-lettered'> {
    await this.republishTo(deadLetterTopic(this.spec.groupId), record, error);
    return 'dead-lettered';
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
        .values({ consumer_group: this.spec.groupId, event_id: event.eventId, topic: handler.topic })
        .onConflict((conflict) => conflict.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!claimed) return this.duplicate(record.topic, event);
      await handler.handle(event, trx);
      return 'applied';
    });
  }

  /**
   * Republishes the record (origin trace link, original position, attempt metadata), then marks the
   * process span: only once the send succeeded, since a failed send leaves the record uncommitted for
   * redelivery (the error reaches kafkajs), and the span must not claim where it went.
   */
  private async republishTo(target: string, record: ConsumedRecord, error: unknown): Promise<void> {
    await republish(this.deps.clients.producer, record, target, error);
    const retrying = target === this.retryTopic;
    const span = trace.getActiveSpan();
    if (span) {
      recordFailure(span, error);
      // The status says where the record went; the exception event keeps why.
      span.setStatus({ code: SpanStatusCode.ERROR, message: `${retrying ? 'sent for a retry' : 'dead-lettered'} to ${target}` });
      if (!retrying) span.setAttribute(ATTR_TRACEHOP_DEAD_LETTER_TOPIC, target);
    }
    this.deps.logger.warn(retrying ? 'record sent to the retry topic' : 'record sent to the dead-letter topic', {
      group: this.spec.groupId,
      topic: record.topic,
      partition: record.partition,
      offset: record.message.offset,
      [retrying ? 'retry_topic' : 'dead_letter_topic']: target,
      failed_attempts: failedAttemptsOf(record),
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof PoisonMessageError ? { fields: error.fields } : {}),
    });
  }

  /** One more try of a failed record, in place (transient) or through the retry topic. */
  private countRetry(topic: string, error: unknown, kind: 'transient' | 'deterministic'): void {
    this.deps.metrics.retries.add(1, {
      [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: this.spec.groupId,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_ERROR_TYPE]: errorTypeOf(error),
      kind,
    });
  }
}
