import { TOPICS } from '@tracehop/contracts';
import { jaegerTrace, lokiLogsForTrace, prometheusQuery, type JaegerSpan } from '../support/backends';
import { eventually } from '../support/eventually';
import { SERVICE_NAMES, startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient, type Order } from '../support/shop-client';
import { traceView } from '../support/trace-shape';

/**
 * The business transaction across the three services, read back from the real backends: one trace
 * (child hop mode) from POST /orders through every HTTP and Kafka hop back to user-service, the
 * settlement batch linking to the payment record, logs in Loki, metrics in Prometheus.
 */
describe('registration → order → payment → confirmation', () => {
  let running: RunningServices;
  let shop: ReturnType<typeof shopClient>;
  let userId: string;
  let order: Order;
  let traceId: string;

  beforeAll(async () => {
    running = await startServices();
    shop = shopClient(running);
    const user = await shop.registerUser();
    expect(user.status).toBe(201);
    userId = user.body.id;
    const placed = await shop.placeOrder(anOrder(userId));
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('PENDING');
    traceId = placed.traceId!;
    order = await shop.settled(placed.body.id, 10);
  });

  afterAll(() => running?.stop());

  it('confirms a paid order within 10 s, and the user sees it in their statistics (the hop back)', async () => {
    expect(order.status).toBe('CONFIRMED');
    expect((await shop.payments(order.id)).body).toEqual([expect.objectContaining({ status: 'COMPLETED' })]);
    const stats = await eventually('user statistics updated', 10, async () => {
      const { body } = await shop.getUser(userId);
      return body.orders.confirmed === 1 ? body.orders : undefined;
    });
    expect(stats.spent).toEqual([{ currency: 'EUR', amountMinor: 900 }]);
  });

  it('Jaeger holds one trace with every hop, in order, each Kafka process span a child of its send span', async () => {
    const trace = await eventually('whole transaction in Jaeger', 60, async () => {
      const found = await jaegerTrace(traceId);
      return found && traceView(found).find('user-service', `process ${TOPICS.orderConfirmed}`).length ? found : undefined;
    });
    const view = traceView(trace);
    const one = (service: string, name: string, where?: (span: JaegerSpan) => boolean) => {
      const spans = view.find(service, name, where);
      expect(spans.map((span) => `${service} ${span.operationName}`)).toEqual([`${service} ${name}`]);
      return spans[0];
    };
    const inGroup = (group: string) => (span: JaegerSpan) => view.tag(span, 'messaging.consumer.group.name') === group;

    const post = one('order-service', 'POST /orders');
    const getUser = one('user-service', 'GET /users/:id');
    const pg = view.find('order-service', /^pg\.query/).filter((span) => view.descendsFrom(span, post));
    const sendCreated = one('order-service', `send ${TOPICS.orderCreated}`);
    const processCreated = one('payment-service', `process ${TOPICS.orderCreated}`);
    const sendCompleted = one('payment-service', `send ${TOPICS.paymentCompleted}`);
    const processCompleted = one('order-service', `process ${TOPICS.paymentCompleted}`, inGroup('order-service'));
    const sendConfirmed = one('order-service', `send ${TOPICS.orderConfirmed}`);
    const processConfirmed = one('user-service', `process ${TOPICS.orderConfirmed}`);

    expect(view.parentId(post)).toBeDefined(); // our client's traceparent
    expect(view.descendsFrom(getUser, post)).toBe(true);
    expect(pg.length).toBeGreaterThan(0);
    expect(view.descendsFrom(sendCreated, post)).toBe(true);
    expect(view.parentId(processCreated)).toBe(sendCreated.spanID);
    expect(view.descendsFrom(sendCompleted, processCreated)).toBe(true);
    expect(view.parentId(processCompleted)).toBe(sendCompleted.spanID);
    expect(view.descendsFrom(sendConfirmed, processCompleted)).toBe(true);
    expect(view.parentId(processConfirmed)).toBe(sendConfirmed.spanID);
    const chain = [post, getUser, sendCreated, processCreated, sendCompleted, processCompleted, sendConfirmed, processConfirmed];
    // Across processes, start times may disagree by a few ms (each Node process anchors its span
    // clock once, at start); causality is asserted by the parent ids above.
    const skewMicros = 25_000;
    for (let i = 1; i < chain.length; i++) expect(chain[i].startTime + skewMicros).toBeGreaterThanOrEqual(chain[i - 1].startTime);
    expect(view.services()).toEqual([...SERVICE_NAMES].sort());
    expect(view.tag(processCreated, 'messaging.kafka.message.key')).not.toBe(order.id); // keys are hashed
  });

  it('the settlement batch consumer: its process span links to its poll span, which links to the payment message', async () => {
    const trace = await eventually('settlement span in Jaeger', 60, async () => {
      const found = await jaegerTrace(traceId);
      return found && traceView(found).find('payment-service', `process ${TOPICS.paymentCompleted}`).length ? found : undefined;
    });
    const view = traceView(trace);
    const [settle] = view.find('payment-service', `process ${TOPICS.paymentCompleted}`);
    const [sendCompleted] = view.find('payment-service', `send ${TOPICS.paymentCompleted}`);
    expect(view.tag(settle, 'messaging.consumer.group.name')).toBe('payment-service.settlement');
    const [pollLink] = view.links(settle);
    expect(pollLink).toBeDefined();
    const pollTrace = await eventually('poll span in Jaeger', 60, () => jaegerTrace(pollLink.traceID));
    const poll = pollTrace.spans.find((span) => span.spanID === pollLink.spanID)!;
    expect(poll.operationName).toBe(`poll ${TOPICS.paymentCompleted}`);
    expect(poll.references.filter((ref) => ref.refType === 'FOLLOWS_FROM')).toContainEqual(expect.objectContaining({ traceID: traceId, spanID: sendCompleted.spanID }));
  });

  it('logs of all three services for the trace are in Loki, each with a span id', async () => {
    for (const service of SERVICE_NAMES) {
      const entries = await eventually(`${service} logs in Loki`, 60, async () => {
        const found = await lokiLogsForTrace(service, traceId);
        return found.length ? found : undefined;
      });
      expect(entries.every((entry) => /^[0-9a-f]{16}$/.test(entry.metadata.span_id ?? ''))).toBe(true);
    }
  });

  it('the custom metrics of every service are in Prometheus', async () => {
    const expected: [string, string][] = [
      ['user-service', 'tracehop_users_registered_total'],
      ['order-service', 'tracehop_orders_created_total'],
      ['order-service', 'tracehop_orders_confirmed_total'],
      ['order-service', 'tracehop_orders_completion_duration_seconds_count'],
      ['payment-service', 'tracehop_payments_total{outcome="completed"}'],
      ['order-service', 'tracehop_outbox_lag_seconds_count'],
      ['payment-service', 'tracehop_outbox_published_total'],
      ['user-service', 'tracehop_consumer_records_total{outcome="applied"}'],
    ];
    for (const [service, metric] of expected) {
      const selector = metric.includes('{') ? metric.replace('{', `{job="tracehop/${service}",`) : `${metric}{job="tracehop/${service}"}`;
      const samples = await eventually(`${selector} in Prometheus`, 60, async () => {
        const found = await prometheusQuery(`sum(${selector})`);
        return found.length && Number(found[0].value[1]) > 0 ? found : undefined;
      });
      expect(Number(samples[0].value[1])).toBeGreaterThan(0);
    }
  });
});
