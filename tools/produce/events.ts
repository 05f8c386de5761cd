/**
 * The records the producer sends: well-formed events built from the contract classes (validated
 * by encodeEvent, exactly as a service's outbox writer does, so a consumer never rejects them as
 * poison), or a deliberately unparseable value for --poison. Keys and headers as the services set them.
 */
import { randomUUID } from 'node:crypto';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
// Relative, not '@tracehop/contracts': the CLI runs under tsx and Jest alike, with no path mapping to rely on.
import {
  encodeEvent,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderCreatedV1,
  PaymentCompletedV1,
  PaymentFailedV1,
  TOPICS,
  UserRegisteredV1,
  type Topic,
} from '../../libs/contracts/src';
// The constants module only: the package index would load the whole OpenTelemetry SDK into unit tests.
import { MESSAGE_ID_HEADER } from '../../libs/telemetry/src/headers';
import type { EventContent } from './options';

export interface OutgoingRecord {
  topic: Topic;
  /** Order id for order and payment events, user id for user events: the services' keys, so partitioning matches. */
  key: string;
  /** The event id (poison: an id of its own, so the record can still be found by its message-id header). */
  eventId: string;
  value: string;
  headers: Record<string, string>;
}

/** The contract class of each topic: encodeEvent validates against it. */
export const EVENT_CLASSES: Record<Topic, ClassConstructor<object>> = {
  [TOPICS.userRegistered]: UserRegisteredV1,
  [TOPICS.orderCreated]: OrderCreatedV1,
  [TOPICS.paymentCompleted]: PaymentCompletedV1,
  [TOPICS.paymentFailed]: PaymentFailedV1,
  [TOPICS.orderConfirmed]: OrderConfirmedV1,
  [TOPICS.orderCancelled]: OrderCancelledV1,
};

/** Whose id keys the topic's records (docs/services.md, "Kafka: topics"). */
const KEYED_BY_USER: Topic[] = [TOPICS.userRegistered];

const DEMO_SKU = 'SKU-DEMO-01';
const DEMO_PAYMENT_FAILURE = 'declined (demo producer)';

/** The event's fields apart from the envelope: fresh ids unless the caller targets existing ones. */
function eventFields(topic: Topic, content: EventContent, orderId: string, userId: string): Record<string, unknown> {
  const money = { amountMinor: content.amountMinor, currency: content.currency };
  switch (topic) {
    case TOPICS.userRegistered:
      return { userId };
    case TOPICS.orderCreated:
      // One line of one item, so the total is the line's price and the event is consistent as the order-service would write it.
      return { orderId, userId, lines: [{ sku: DEMO_SKU, quantity: 1, unitPrice: money }], total: money };
    case TOPICS.paymentCompleted:
      return { orderId, paymentId: randomUUID(), amount: money };
    case TOPICS.paymentFailed:
      return { orderId, paymentId: randomUUID(), amount: money, reason: DEMO_PAYMENT_FAILURE };
    case TOPICS.orderConfirmed:
      return { orderId, userId, total: money };
    case TOPICS.orderCancelled:
      return { orderId, userId, total: money, reason: `payment failed: ${DEMO_PAYMENT_FAILURE}` };
  }
}

function recordFor(topic: Topic, eventId: string, value: string, orderId: string, userId: string): OutgoingRecord {
  return {
    topic,
    key: KEYED_BY_USER.includes(topic) ? userId : orderId,
    eventId,
    value,
    // As the services' outbox relay sends them; trace headers are the instrumentation's business.
    headers: { [MESSAGE_ID_HEADER]: eventId, 'content-type': 'application/json' },
  };
}

/**
 * One well-formed event for the topic, encoded with encodeEvent: it throws (PoisonMessageError)
 * if what we built does not satisfy the contract, so a bad option can never reach Kafka as an event.
 */
export function buildEvent(topic: Topic, content: EventContent, now: Date = new Date()): OutgoingRecord {
  const eventId = randomUUID();
  const orderId = content.orderId ?? randomUUID();
  const userId = content.userId ?? randomUUID();
  const type = EVENT_CLASSES[topic];
  const event = plainToInstance(type, { eventId, occurredAt: now.toISOString(), ...eventFields(topic, content, orderId, userId) });
  return recordFor(topic, eventId, encodeEvent(type, event), orderId, userId);
}

/**
 * A record no consumer can parse: JSON cut off mid-object (what a partner's crashed serializer
 * sends), so decodeEvent fails with "value is not JSON" and the group dead-letters it at once.
 * It keeps the topic's key and headers, so the dead-letter record can be found by key or message-id.
 */
export function buildPoison(topic: Topic, content: EventContent): OutgoingRecord {
  const eventId = randomUUID();
  const orderId = content.orderId ?? randomUUID();
  const userId = content.userId ?? randomUUID();
  return recordFor(topic, eventId, `{"eventId": "${eventId}", "poison": `, orderId, userId);
}

export function buildRecord(topic: Topic, content: EventContent, poison: boolean): OutgoingRecord {
  return poison ? buildPoison(topic, content) : buildEvent(topic, content);
}
