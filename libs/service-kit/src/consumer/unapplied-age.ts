import type { ObservableResult } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
} from '@opentelemetry/semantic-conventions/incubating';
import type { KafkaMessage } from 'kafkajs';

/**
 * Consumer lag in seconds, per partition: the age of the oldest record the group has not applied
 * yet (docs/telemetry.md, "Consumer lag in seconds"). A fetched batch starts at the group's
 * position, so its next unapplied record is that oldest record; a partition whose last fetch left
 * nothing behind is at 0. Kafka's own offsets give lag in messages (the collector's kafka_metrics);
 * no offset says how old the waiting records are, so the consumer that holds them tells.
 */
export class UnappliedAge {
  /** topic/partition → the record's timestamp (ms), or undefined when caught up. */
  private readonly oldest = new Map<string, { topic: string; partition: number; millis: number | undefined }>();

  /** The partition's next unapplied record (the first of a chunk, or the one about to be handled). */
  waiting(topic: string, partition: number, message: KafkaMessage): void {
    this.oldest.set(`${topic}/${partition}`, { topic, partition, millis: Number(message.timestamp) });
  }

  /**
   * The batch is applied. With records left behind it on the broker, the last one applied is the
   * closest bound the consumer has until its next fetch (milliseconds later); otherwise caught up.
   */
  batchDone(topic: string, partition: number, last: KafkaMessage, recordsLeft: string): void {
    if (recordsLeft === '0') this.oldest.set(`${topic}/${partition}`, { topic, partition, millis: undefined });
    else this.waiting(topic, partition, last);
  }

  /** After a rebalance the group's assignment may differ: partitions report again once fetched. */
  reset(): void {
    this.oldest.clear();
  }

  observe(result: ObservableResult, groupId: string, nowMillis: number): void {
    for (const { topic, partition, millis } of this.oldest.values())
      result.observe(millis === undefined ? 0 : Math.max(0, nowMillis - millis) / 1000, {
        [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: groupId,
        [ATTR_MESSAGING_DESTINATION_NAME]: topic,
        [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
      });
  }
}
