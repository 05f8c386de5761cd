import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { Kafka, logLevel, type KafkaMessage, type Producer } from 'kafkajs';
import { OrderConfirmedV1, OrderCreatedV1, PaymentCompletedV1, TOPICS, deadLetterTopic, encodeEvent } from '@tracehop/contracts';
import { jaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { kafkaBrokers } from '../support/kafka-source';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, newTraceparent, shopClient } from '../support/shop-client';
import { traceView } from '../support/trace-shape';

const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

/**
 * At-least-once delivery without double effects, and failures that stay visible: declined and
 * failed payments, replayed events, poison records going to the dead-letter topic with their trace.
 */
describe('delivery and failure handling', () => {
  let running: RunningServices;
  let shop: ReturnType<typeof shopClient>;
  let userId: string;
  const kafka = new Kafka({ clientId: 'delivery-spec', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
  let producer: Producer;

  beforeAll(async () => {
    // A short wait for accounts, so an order for a user without one fails within the test.
    running = await startServices({ 'payment-service': { PAYMENT_ACCOUNT_WAIT_MS: '3000' } });
    shop = shopClient(running);
    userId = (await shop.registerUser()).body.id;
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await running?.stop();
  });

  /** Records on a dead-letter topic, read by a fresh group from the beginning. */
  async function deadLetters(group: string, match: (message: KafkaMessage) => boolean): Promise<KafkaMessage> {
    const consumer = kafka.consumer({ groupId: `delivery-spec-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: deadLetterTopic(group), fromBeginning: true });
    let found: KafkaMessage | undefined;
    await consumer.run({ eachMessage: async ({ message }) => void (match(message) && (found = message)) });
    try {
      return await eventually(`record on ${deadLetterTopic(group)}`, 30, async () => found);
    } finally {
      await consumer.disconnect();
    }
  }

  it('a declined payment cancels the order, and the charge span carries the error', async () => {
    const placed = await shop.placeOrder(anOrder(userId, 150_000, 1)); // the wallet starts with 100_000
    const order = await shop.settled(placed.body.id);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'payment failed: insufficient funds' });
    expect((await shop.payments(order.id)).body).toEqual([expect.objectContaining({ status: 'DECLINED' })]);
    // Each service exports its spans in its own batches: wait for the cancellation and the deciding charge.
    const trace = await eventually('cancelled order trace with its deciding charge', 60, async () => {
      const found = await jaegerTrace(placed.traceId!);
      const view = found && traceView(found);
      return view &&
        view.find('order-service', `send ${TOPICS.orderCancelled}`).length &&
        view.find('payment-service', 'charge payment').some((span) => view.tag(span, 'tracehop.payment.outcome') !== undefined)
        ? found
        : undefined;
    });
    const view = traceView(trace);
    // The order can overtake user-registered: attempts made before the wallet opened carry no outcome
    // and say why they were retried; exactly one attempt decides.
    const attempts = view.find('payment-service', 'charge payment');
    const decided = attempts.filter((span) => view.tag(span, 'tracehop.payment.outcome') !== undefined);
    expect(decided).toHaveLength(1);
    expect(view.tag(decided[0], 'tracehop.payment.outcome')).toBe('declined');
    expect(view.tag(decided[0], 'otel.status_code')).toBe('ERROR');
    for (const retried of attempts.filter((span) => !decided.includes(span))) {
      expect(view.tag(retried, 'otel.status_description')).toMatch(/^no payment account for user .* yet$/);
    }
    expect(view.find('payment-service', `send ${TOPICS.paymentFailed}`)).toHaveLength(1);
  });

  it('an injected processor failure (admin switch) fails the payment and cancels the order', async () => {
    const admin = `${running.url['payment-service']}/admin/faults`;
    await shop.raw('PATCH', admin, { processorFailureRate: 1 });
    try {
      const placed = await shop.placeOrder(anOrder(userId));
      expect(await shop.settled(placed.body.id)).toMatchObject({
        status: 'CANCELLED',
        cancelReason: 'payment failed: processor error (injected failure)',
      });
    } finally {
      await shop.raw('PATCH', admin, { processorFailureRate: 0 });
    }
  });

  it('a replayed event has no second effect (the consumer records processed event ids)', async () => {
    const confirmed = (orderId: string, eventId = randomUUID()) =>
      plainToInstance(OrderConfirmedV1, {
        eventId,
        occurredAt: new Date().toISOString(),
        orderId,
        userId,
        total: { amountMinor: 1000, currency: 'GBP' },
      });
    const first = confirmed(randomUUID());
    const send = (event: OrderConfirmedV1) =>
      producer.send({ topic: TOPICS.orderConfirmed, messages: [{ key: event.orderId, value: encodeEvent(OrderConfirmedV1, event) }] });
    await send(first);
    await send(first); // redelivered
    await send(confirmed(first.orderId)); // a different event: counts
    const stats = await eventually('both distinct events applied', 30, async () => {
      const { body } = await shop.getUser(userId);
      const gbp = body.orders.spent.find((spent) => spent.currency === 'GBP');
      return gbp?.amountMinor === 2000 ? gbp : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await shop.getUser(userId)).body.orders.spent.find((spent) => spent.currency === 'GBP')).toEqual(stats);
  });

  it('poison records (unparseable, schema-invalid) go to the DLQ with their trace link, and the consumer keeps consuming', async () => {
    const unparseable = newTraceparent();
    const invalid = newTraceparent();
    await producer.send({
      topic: TOPICS.orderCreated,
      messages: [
        { key: 'poison-1', value: '{"orderId": ', headers: { traceparent: unparseable.traceparent } },
        {
          key: 'poison-2',
          value: JSON.stringify({ eventId: randomUUID(), orderId: 'not-a-uuid' }),
          headers: { traceparent: invalid.traceparent },
        },
      ],
    });
    const originOf = (message: KafkaMessage) => header(message, 'tracehop-origin-traceparent') ?? '';
    const first = await deadLetters('payment-service', (message) => originOf(message).includes(unparseable.traceId));
    expect(header(first, 'tracehop-original-topic')).toBe(TOPICS.orderCreated);
    expect(header(first, 'tracehop-error')).toContain('not JSON');
    expect(first.value?.toString()).toBe('{"orderId": ');
    const second = await deadLetters('payment-service', (message) => originOf(message).includes(invalid.traceId));
    expect(header(second, 'tracehop-error')).toMatch(/orderId/);

    // The process span of the poison record is in the producer's trace, failed and naming the DLQ.
    const trace = await eventually('poison process span', 60, async () => {
      const found = await jaegerTrace(unparseable.traceId);
      return found && traceView(found).find('payment-service', `process ${TOPICS.orderCreated}`).length ? found : undefined;
    });
    const view = traceView(trace);
    const [processed] = view.find('payment-service', `process ${TOPICS.orderCreated}`);
    expect(view.tag(processed, 'otel.status_code')).toBe('ERROR');
    expect(view.tag(processed, 'tracehop.dead_letter.topic')).toBe(deadLetterTopic('payment-service'));

    // …and the next order is paid as usual.
    const placed = await shop.placeOrder(anOrder(userId));
    expect((await shop.settled(placed.body.id)).status).toBe('CONFIRMED');
  });
  it('an outside order for a user who has no account fails its payment after PAYMENT_ACCOUNT_WAIT_MS instead of blocking the group', async () => {
    const orderId = randomUUID();
    const event = plainToInstance(OrderCreatedV1, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      orderId,
      userId: randomUUID(),
      lines: [{ sku: 'SKU-TEA-01', quantity: 1, unitPrice: { amountMinor: 100, currency: 'EUR' } }],
      total: { amountMinor: 100, currency: 'EUR' },
    });
    await producer.send({ topic: TOPICS.orderCreated, messages: [{ key: orderId, value: encodeEvent(OrderCreatedV1, event) }] });
    const payments = await eventually('payment decided', 30, async () => {
      const { body } = await shop.payments(orderId);
      return body.length ? body : undefined;
    });
    expect(payments).toEqual([expect.objectContaining({ status: 'FAILED', reason: 'no payment account' })]);
    // order-service does not know that order: its payment-failed record (keyed by user) is a poison record there.
    const parked = await deadLetters('order-service', (message) => message.key?.toString() === event.userId);
    expect(header(parked, 'tracehop-error')).toContain(`unknown order ${orderId}`);
  });

  it('an outcome for an unknown order goes to the DLQ and order-service keeps consuming', async () => {
    const orderId = randomUUID();
    const outcome = plainToInstance(PaymentCompletedV1, {
      eventId: randomUUID(),
      occurredAt: new Date().toISOString(),
      orderId,
      paymentId: randomUUID(),
      amount: { amountMinor: 1, currency: 'EUR' },
    });
    await producer.send({ topic: TOPICS.paymentCompleted, messages: [{ key: orderId, value: encodeEvent(PaymentCompletedV1, outcome) }] });
    await deadLetters('order-service', (message) => message.key?.toString() === orderId);
    const placed = await shop.placeOrder(anOrder(userId));
    expect((await shop.settled(placed.body.id)).status).toBe('CONFIRMED');
  });
});
