import { decodeEvent, encodeEvent, PoisonMessageError, TOPICS, type Topic } from '@tracehop/contracts';
import { buildEvent, buildPoison, buildRecord, EVENT_CLASSES } from '../../tools/produce/events';
import type { EventContent } from '../../tools/produce/options';

const content: EventContent = { amountMinor: 1234, currency: 'USD' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const topics = Object.values(TOPICS) as Topic[];

describe('npm run produce: events', () => {
  it.each(topics)('%s: builds an event its contract class accepts, keyed as the services key it', (topic) => {
    const record = buildEvent(topic, content);
    const type = EVENT_CLASSES[topic];
    const event = decodeEvent(type, record.value) as Record<string, unknown>;
    // Strict too (no unknown field): what a service's outbox writer would accept.
    expect(() => encodeEvent(type, event)).not.toThrow();
    expect(Object.keys(JSON.parse(record.value)).sort()).toEqual(Object.keys(JSON.parse(encodeEvent(type, event))).sort());
    expect(event.eventId).toBe(record.eventId);
    expect(record.eventId).toMatch(UUID);
    expect(record.topic).toBe(topic);
    expect(record.key).toBe(topic === TOPICS.userRegistered ? event.userId : event.orderId);
    expect(record.headers).toEqual({ 'message-id': record.eventId, 'content-type': 'application/json' });
    expect(Date.parse(event.occurredAt as string)).not.toBeNaN();
  });

  it('maps every topic to its own contract class', () => {
    expect(Object.keys(EVENT_CLASSES).sort()).toEqual([...topics].sort());
    expect(Object.entries(EVENT_CLASSES).map(([topic, type]) => [topic, type.name])).toEqual(
      expect.arrayContaining([
        [TOPICS.userRegistered, 'UserRegisteredV1'],
        [TOPICS.orderCreated, 'OrderCreatedV1'],
        [TOPICS.paymentCompleted, 'PaymentCompletedV1'],
        [TOPICS.paymentFailed, 'PaymentFailedV1'],
        [TOPICS.orderConfirmed, 'OrderConfirmedV1'],
        [TOPICS.orderCancelled, 'OrderCancelledV1'],
      ]),
    );
  });

  it('fresh UUIDs for every event, ids and keys unless targeted', () => {
    const [a, b] = [buildEvent(TOPICS.paymentCompleted, content), buildEvent(TOPICS.paymentCompleted, content)];
    const [pa, pb] = [JSON.parse(a.value), JSON.parse(b.value)];
    expect(a.eventId).not.toBe(b.eventId);
    expect(pa.orderId).not.toBe(pb.orderId);
    expect(pa.paymentId).not.toBe(pb.paymentId);
    expect([pa.orderId, pa.paymentId]).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
  });

  it('targets existing entities: --user-id and --order-id, with the amount and currency given', () => {
    const userId = '0b6f8f8e-3f1a-4d5e-9b1c-2a3b4c5d6e7f';
    const orderId = '6d1f3b0e-5a0c-4c1e-9a53-2f6f3a4b5c6d';
    const confirmed = buildEvent(TOPICS.orderConfirmed, { userId, orderId, amountMinor: 2500, currency: 'GBP' });
    expect(confirmed.key).toBe(orderId);
    expect(JSON.parse(confirmed.value)).toMatchObject({ userId, orderId, total: { amountMinor: 2500, currency: 'GBP' } });
    const created = JSON.parse(buildEvent(TOPICS.orderCreated, { userId, amountMinor: 900, currency: 'EUR' }).value);
    expect(created).toMatchObject({
      userId,
      total: { amountMinor: 900, currency: 'EUR' },
      lines: [{ quantity: 1, unitPrice: { amountMinor: 900, currency: 'EUR' } }],
    });
    expect(buildEvent(TOPICS.userRegistered, { userId, amountMinor: 0, currency: 'EUR' }).key).toBe(userId);
  });

  it('refuses to build an event its contract would reject (encodeEvent guards the send)', () => {
    expect(() => buildEvent(TOPICS.orderCreated, { amountMinor: -1, currency: 'EUR' })).toThrow(PoisonMessageError);
    expect(() => buildEvent(TOPICS.orderCreated, { userId: 'not-a-uuid', amountMinor: 1, currency: 'EUR' })).toThrow(/userId/);
  });

  it.each(topics)('%s: a poison value is not JSON, so consumers dead-letter it', (topic) => {
    const record = buildPoison(topic, content);
    expect(() => JSON.parse(record.value)).toThrow(SyntaxError);
    expect(() => decodeEvent(EVENT_CLASSES[topic], record.value)).toThrow(/value is not JSON/);
    // Findable on the dead-letter topic by message-id (or key).
    expect(record.value).toContain(record.eventId);
    expect(record.headers['message-id']).toBe(record.eventId);
    expect(record.key).toMatch(UUID);
  });

  it('poison keeps the key the topic would use', () => {
    const orderId = '6d1f3b0e-5a0c-4c1e-9a53-2f6f3a4b5c6d';
    expect(buildRecord(TOPICS.paymentFailed, { ...content, orderId }, true).key).toBe(orderId);
    expect(buildRecord(TOPICS.paymentFailed, { ...content, orderId }, false).key).toBe(orderId);
  });
});
