import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import {
  decodeEvent,
  deadLetterTopic,
  encodeEvent,
  OrderCreatedV1,
  PaymentFailedV1,
  PoisonMessageError,
  TOPICS,
  UserRegisteredV1,
} from '../src';

const orderCreated = () =>
  plainToInstance(OrderCreatedV1, {
    eventId: randomUUID(),
    occurredAt: '2026-11-22T10:00:00.000Z',
    orderId: randomUUID(),
    userId: randomUUID(),
    lines: [{ sku: 'BOOK-1', quantity: 2, unitPrice: { amountMinor: 1250, currency: 'EUR' } }],
    total: { amountMinor: 2500, currency: 'EUR' },
  });

function poison(run: () => unknown): PoisonMessageError {
  try {
    run();
  } catch (error) {
    if (error instanceof PoisonMessageError) return error;
    throw error;
  }
  throw new Error('expected a PoisonMessageError');
}

describe('event contracts', () => {
  it('names every topic <owner>.<event>.v<major>, and dead-letter topics after the group', () => {
    for (const topic of Object.values(TOPICS)) expect(topic).toMatch(/^[a-z]+\.[a-z-]+\.v\d+$/);
    expect(deadLetterTopic('payment-service')).toBe('payment-service.dlq');
  });

  it('round-trips a valid event through encode and decode', () => {
    const event = orderCreated();
    const decoded = decodeEvent(OrderCreatedV1, Buffer.from(encodeEvent(OrderCreatedV1, event)));
    expect(decoded).toBeInstanceOf(OrderCreatedV1);
    expect(decoded).toEqual(event);
  });

  it('refuses to produce an invalid event, naming the fields', () => {
    const event = orderCreated();
    event.lines[0].quantity = 0;
    event.total.currency = 'XXX' as never;
    const error = poison(() => encodeEvent(OrderCreatedV1, event));
    expect(Object.keys(error.fields).sort()).toEqual(['lines.0.quantity', 'total.currency']);
  });

  it('refuses to produce unknown fields (a typo is a bug), but drops them when consuming (forward compatible)', () => {
    const event = Object.assign(new UserRegisteredV1(), {
      eventId: randomUUID(),
      occurredAt: '2026-11-22T10:00:00Z',
      userId: randomUUID(),
      nickname: 'x',
    });
    expect(poison(() => encodeEvent(UserRegisteredV1, event)).fields).toHaveProperty('nickname');
    const decoded = decodeEvent(UserRegisteredV1, JSON.stringify(event));
    expect(decoded).not.toHaveProperty('nickname');
    expect(decoded.userId).toBe(event.userId);
  });

  it.each([
    ['no value', null, 'has no value'],
    ['not JSON', Buffer.from('{not json'), 'not JSON'],
    ['not an object', Buffer.from('[1,2]'), 'expected a JSON object'],
    ['missing fields', Buffer.from('{"eventId":"nope"}'), 'is invalid'],
  ])('treats %s as a poison message', (_, value, message) => {
    expect(poison(() => decodeEvent(PaymentFailedV1, value)).message).toContain(message);
  });

  it('keeps PII out of user-registered: the event has an id, no e-mail or name', () => {
    const event = plainToInstance(UserRegisteredV1, {
      eventId: randomUUID(),
      occurredAt: '2026-11-22T10:00:00Z',
      userId: randomUUID(),
      email: 'jane@example.com',
    });
    expect(decodeEvent(UserRegisteredV1, JSON.stringify(event))).not.toHaveProperty('email');
  });
});
