import { TOPICS } from '@tracehop/contracts';
import { fetchTransaction, type TraceSpan, type Transaction } from '../../tools/trace-view';
import { jaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { SERVICE_NAMES, startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';
import { traceView } from '../support/trace-shape';

const LINK = { TRACEHOP_KAFKA_HOP_MODE: 'link' };

/**
 * The same transaction with every consumer in link mode: each Kafka hop starts a new trace whose
 * process span links to the producer's send span. The request's own trace stops at the send; the
 * trace view follows the links (both ways) and puts the whole story back together.
 */
describe('link mode: one transaction as linked traces', () => {
  let running: RunningServices;
  let transaction: Transaction;
  let rootTraceId: string;

  const all = () => transaction.traces.flatMap((trace) => trace.spans);
  const one = (service: string, name: string, group?: string): TraceSpan => {
    const found = all().filter(
      (span) => span.service === service && span.name === name && (!group || span.attributes['messaging.consumer.group.name'] === group),
    );
    expect(found.map((span) => `${span.service} ${span.name}`)).toEqual([`${service} ${name}`]);
    return found[0];
  };
  const linkedFrom = (consumer: TraceSpan, producer: TraceSpan) => {
    expect(consumer.parentSpanId).toBeUndefined();
    expect(consumer.traceId).not.toBe(producer.traceId);
    expect(consumer.links).toContainEqual({ traceId: producer.traceId, spanId: producer.spanId });
    expect(consumer.attributes['tracehop.kafka.hop_mode']).toBe('link');
    expect(consumer.kind).toBe('consumer');
  };

  beforeAll(async () => {
    running = await startServices({ 'user-service': LINK, 'order-service': LINK, 'payment-service': LINK });
    const shop = shopClient(running);
    const userId = (await shop.registerUser()).body.id;
    await eventually('payment account opened', 30, async () => {
      const probe = await shop.placeOrder(anOrder(userId, 1, 1));
      return (await shop.settled(probe.body.id)).status === 'CONFIRMED' ? true : undefined;
    });
    const placed = await shop.placeOrder(anOrder(userId));
    expect((await shop.settled(placed.body.id)).status).toBe('CONFIRMED');
    rootTraceId = placed.traceId!;
    transaction = await eventually('the linked traces in Jaeger', 90, async () => {
      const found = await fetchTransaction(rootTraceId);
      const spans = found.traces.flatMap((trace) => trace.spans);
      return spans.some((span) => span.service === 'user-service' && span.name === `process ${TOPICS.orderConfirmed}`) ? found : undefined;
    });
  });

  afterAll(() => running?.stop());

  it("the request's trace ends at the send: no consumer span is in it", async () => {
    const root = traceView((await jaegerTrace(rootTraceId))!);
    expect(root.find('order-service', 'POST /orders')).toHaveLength(1);
    expect(root.find('user-service', 'GET /users/:id')).toHaveLength(1);
    expect(root.find('order-service', `send ${TOPICS.orderCreated}`)).toHaveLength(1);
    expect(root.spans.filter((span) => root.tag(span, 'span.kind') === 'consumer')).toEqual([]);
  });

  it('every Kafka hop starts a new trace whose process span links to the send span it came from', () => {
    const sendCreated = one('order-service', `send ${TOPICS.orderCreated}`);
    const processCreated = one('payment-service', `process ${TOPICS.orderCreated}`);
    linkedFrom(processCreated, sendCreated);

    const sendCompleted = one('payment-service', `send ${TOPICS.paymentCompleted}`);
    expect(sendCompleted.traceId).toBe(processCreated.traceId);
    linkedFrom(one('order-service', `process ${TOPICS.paymentCompleted}`, 'order-service'), sendCompleted);

    const sendConfirmed = one('order-service', `send ${TOPICS.orderConfirmed}`);
    linkedFrom(one('user-service', `process ${TOPICS.orderConfirmed}`), sendConfirmed);
    expect(sendConfirmed.attributes['messaging.destination.name']).toBe(TOPICS.orderConfirmed);
  });

  it('the stitched transaction holds all three services across at least four traces, the request trace first', () => {
    expect(transaction.rootTraceId).toBe(rootTraceId);
    expect(transaction.traces[0].traceId).toBe(rootTraceId);
    expect(transaction.traces.length).toBeGreaterThanOrEqual(4);
    expect([...new Set(all().map((span) => span.service))].sort()).toEqual([...SERVICE_NAMES].sort());
  });
});
