import { context, propagation } from '@opentelemetry/api';
import type { ClassConstructor } from 'class-transformer';
import type { Transaction } from 'kysely';
import { Topic, encodeEvent, type EventEnvelope } from '@tracehop/contracts';
import type { KitTables } from '../database/kit-tables';

export interface OutgoingEvent<T extends EventEnvelope> {
  topic: Topic;
  type: ClassConstructor<T>;
  event: T;
  /** Kafka message key: records with the same key stay in order (one partition). */
  key: string;
}

/**
 * Writes an event to the outbox inside the caller's transaction, so the business change and the
 * event commit together (nothing is lost if Kafka is down). The event is validated against its
 * contract now, and the active trace context is stored with it for the relay to continue.
 */
export async function enqueueEvent<T extends EventEnvelope, DB extends KitTables>(
  trx: Transaction<DB>,
  outgoing: OutgoingEvent<T>,
): Promise<void> {
  const traceHeaders: Record<string, string> = {};
  propagation.inject(context.active(), traceHeaders);
  // Kysely's Transaction<DB> is invariant in DB; the app's database has the kit's tables (DB extends KitTables).
  await (trx as unknown as Transaction<KitTables>)
    .insertInto('outbox')
    .values({
      topic: outgoing.topic,
      message_key: outgoing.key,
      payload: encodeEvent(outgoing.type, outgoing.event),
      trace_headers: JSON.stringify(traceHeaders),
      event_id: outgoing.event.eventId,
    })
    .execute();
}
