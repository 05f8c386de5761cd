import type { Batch, KafkaMessage } from 'kafkajs';
import { inFlightBatch, measured, runInSpan, startProcessSpan } from '../internal/kafka/traced-consumer';

/**
 * Runs the work for one message of a batch inside that message's `process <topic>` span (linked
 * to the batch's poll span). Outside an instrumented batch it simply runs the work.
 */
export function processBatchMessage<T>(batch: Batch, message: KafkaMessage, work: () => Promise<T>): Promise<T> {
  const inFlight = inFlightBatch(batch);
  if (!inFlight) return work();
  return runInSpan(
    () => startProcessSpan(inFlight.tracing, batch.topic, batch.partition, message, [inFlight.poll]),
    () => measured(inFlight.tracing, batch.topic, batch.partition, message, work),
  );
}
