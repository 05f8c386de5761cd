import type { ClassConstructor } from 'class-transformer';
import type { Transaction } from 'kysely';
import type { EventEnvelope, Topic } from '@tracehop/contracts';
import type { KitTables } from '../database/kit-tables';

/**
 * Applies one event of one topic. `handle` runs inside a database transaction that also records the
 * event id as processed, so the effect happens once however often the record is delivered. Throw a
 * PoisonMessageError for a record that can never succeed (it goes to the DLQ at once). Other failures
 * are classified (classifyFailure): deterministic ones (a constraint violation, a TypeError, a
 * validation error) are tried again through the group's retry topic, then dead-lettered; anything
 * else, such as "not ready yet", is transient and retried in place, then through the retry topic.
 */
export interface EventHandler<T extends EventEnvelope, DB extends KitTables = KitTables> {
  readonly topic: Topic;
  readonly event: ClassConstructor<T>;
  handle(event: T, trx: Transaction<DB>): Promise<void>;
}

/** A handler of any event and database, as a group holds them (the decoder guarantees each gets its own type). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- existential on purpose: each handler has its own event and database types
export type AnyEventHandler = EventHandler<any, any>;

export interface ConsumerGroupSpec {
  groupId: string;
  handlers: AnyEventHandler[];
  /**
   * eachBatch instead of eachMessage: one `poll` span per batch, linked to every record's producer. A
   * batch group pauses a retry-topic partition while its next record waits out the retry delay; an
   * eachMessage group waits in the handler, and kafkajs fetches nothing else meanwhile.
   */
  batch?: boolean;
  /**
   * With `batch`: apply up to CONSUMER_TRANSACTION_RECORDS records of a fetched batch in one
   * transaction (one idempotency claim, one commit); if any record fails, the chunk is rolled back
   * and applied record by record. Only for handlers whose rows records of other partitions never
   * touch (the message key names the row owner), or lock waits and deadlocks make the fallback the rule.
   */
  transactionPerBatch?: boolean;
}
