import { TOPICS } from '@tracehop/contracts';
import { jaegerTrace, logsForTrace, prometheusQuery, type JaegerSpan, type JaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { SERVICE_NAMES, startServices, type RunningServices, type ServiceName } from '../support/services';
import { anOrder, shopClient, type Order } from '../support/shop-client';
import { traceView } from '../support/trace-shape';

/**
 * Which service emits which signal for a paid order: spans in the transaction's trace, log lines
 * (by message) in VictoriaLogs under that trace id, metrics in Prometheus (by job), plus the gateway's span
 * metrics for every service. One table, checked against the real backends below.
 */
const SIGNAL_MATRIX: Record<ServiceName, { spans: string[]; logs: string[]; metrics: string[] }> = {
  'user-service': {
    spans: ['GET /users/:id', `process ${TOPICS.orderConfirmed}`],
    logs: ['confirmed order counted in the user statistics'],
    metrics: [
      'tracehop_users_registered_total',
      'tracehop_consumer_records_total',
      'tracehop_messaging_produce_to_process_duration_seconds_count',
    ],
  },
  'order-service': {
    spans: ['POST /orders', `send ${TOPICS.orderCreated}`, `process ${TOPICS.paymentCompleted}`, `send ${TOPICS.orderConfirmed}`],
    logs: ['order placed', 'order confirmed'],
    metrics: [
      'tracehop_orders_created_total',
      'tracehop_orders_confirmed_total',
      'tracehop_orders_completion_duration_seconds_count',
      'tracehop_outbox_lag_seconds_count',
    ],
  },
  'payment-service': {
    spans: [`process ${TOPICS.orderCreated}`, 'charge payment', `send ${TOPICS.paymentCompleted}`, `process ${TOPICS.paymentCompleted}`],
    logs: ['payment completed'],
    metrics: ['tracehop_payments_total', 'tracehop_outbox_published_total', 'tracehop_consumer_records_total'],
  },
};

/**
 * The business transaction across the three services, read back from the real backends: one trace
 * (child hop mode) from POST /orders through every HTTP and Kafka hop back to user-service, the
 * settlement batch linking to the payment record, logs in VictoriaLogs, metrics in Prometheus.
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
    // Spans are read raw (no Jaeger clock-skew adjustment); the SDK stamps starts in whole
    // milliseconds, so close spans of different processes may tie or swap by a little. Causality is
    // asserted by the parent ids above.
    const skewMicros = 25_000;
    for (let i = 1; i < chain.length; i++) expect(chain[i].startTime + skewMicros).toBeGreaterThanOrEqual(chain[i - 1].startTime);
    expect(view.services()).toEqual([...SERVICE_NAMES].sort());
    expect(view.tag(processCreated, 'messaging.kafka.message.key')).not.toBe(order.id); // keys are hashed
  });

  it("Jaeger's UI view and the raw trace agree on every span, the async hops included (no clock-skew adjustment)", async () => {
    // Two reads of one trace: the same spans in both (late spans, e.g. the settlement batch's, may
    // still be arriving between two reads), then the same times for every one of them.
    const timing = (trace: JaegerTrace) => Object.fromEntries(trace.spans.map((span) => [span.spanID, [span.startTime, span.duration]]));
    const [raw, adjusted] = await eventually('the same spans in the raw and the adjusted read', 60, async () => {
      const reads = await Promise.all([jaegerTrace(traceId), jaegerTrace(traceId, { raw: false })]);
      const [a, b] = reads;
      return a && b && Object.keys(timing(a)).sort().join() === Object.keys(timing(b)).sort().join() ? [a, b] : undefined;
    });
    expect(timing(adjusted)).toEqual(timing(raw));
    const view = traceView(adjusted);
    const [send] = view.find('order-service', `send ${TOPICS.orderCreated}`);
    const [processed] = view.find('payment-service', `process ${TOPICS.orderCreated}`);
    expect(processed.references).toContainEqual(expect.objectContaining({ refType: 'CHILD_OF', spanID: send.spanID }));
    expect(view.tag(processed, 'messaging.operation.type')).toBe('process');
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
    expect(poll.references.filter((ref) => ref.refType === 'FOLLOWS_FROM')).toContainEqual(
      expect.objectContaining({ traceID: traceId, spanID: sendCompleted.spanID }),
    );
  });

  it('keeps to the span budget (docs/performance.md): at most 40 spans, only hops, business steps and statements', async () => {
    // Complete once the last consumers' spans are in: user statistics and the settlement batch.
    const trace = await eventually('whole transaction in Jaeger', 60, async () => {
      const found = await jaegerTrace(traceId);
      if (!found) return undefined;
      const view = traceView(found);
      const last = [
        view.find('user-service', `process ${TOPICS.orderConfirmed}`),
        view.find('payment-service', `process ${TOPICS.paymentCompleted}`),
      ];
      return last.every((spans) => spans.length) ? found : undefined;
    });
    // A quiet system fetches one record at a time, each in its own transaction (BEGIN, claim, COMMIT
    // under its process span): the budget's upper end. Under load a chunk shares them: 28.
    // A chunk that failed (a lock conflict) is rolled back and replayed record by record: the
    // replay repeats one handler's statements and charge (46 spans seen), on top of the budget.
    const replayed = trace.spans.some((span) => span.operationName.startsWith('pg.query:ROLLBACK'));
    expect(trace.spans.length).toBeLessThanOrEqual(replayed ? 48 : 40);
    const allowed = [
      /^(GET|POST|PUT|PATCH|DELETE) \/\S*$/, // HTTP server span, named by its route
      /^GET$/, // HTTP client span (the user lookup)
      /^pg\.query:[A-Z]+ \w+$/, // a statement
      /^(send|process) \S+$/, // a Kafka hop
      /^charge payment$/, // the business step that can fail
    ];
    // Nothing the defaults leave out: pool waits (pg.connect, pg-pool.connect), Nest's own spans, the relay's polling.
    expect(trace.spans.map((span) => span.operationName).filter((name) => !allowed.some((pattern) => pattern.test(name)))).toEqual([]);
  });

  it('semantic-convention attributes on the HTTP, database and Kafka spans', async () => {
    const view = traceView((await jaegerTrace(traceId))!);
    const [post] = view.find('order-service', 'POST /orders');
    expect(
      Object.fromEntries(
        ['span.kind', 'http.request.method', 'http.route', 'http.response.status_code'].map((k) => [k, view.tag(post, k)]),
      ),
    ).toEqual({
      'span.kind': 'server',
      'http.request.method': 'POST',
      'http.route': '/orders',
      'http.response.status_code': 201,
    });
    const [insert] = view.find('order-service', /^pg\.query:INSERT/);
    expect([view.tag(insert, 'db.system.name'), view.tag(insert, 'db.namespace')]).toEqual(['postgresql', 'orders']);
    const [send] = view.find('order-service', `send ${TOPICS.orderCreated}`);
    const [processed] = view.find('payment-service', `process ${TOPICS.orderCreated}`);
    expect(view.tag(send, 'span.kind')).toBe('producer');
    expect(view.tag(processed, 'span.kind')).toBe('consumer');
    for (const [span, operation] of [
      [send, 'send'],
      [processed, 'process'],
    ] as const) {
      expect(view.tag(span, 'messaging.system')).toBe('kafka');
      expect(view.tag(span, 'messaging.destination.name')).toBe(TOPICS.orderCreated);
      expect(view.tag(span, 'messaging.operation.type')).toBe(operation);
      expect(view.tag(span, 'messaging.destination.partition.id')).toMatch(/^\d+$/);
      expect(typeof view.tag(span, 'messaging.kafka.offset')).toBe('number');
      expect(view.tag(span, 'messaging.message.id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(view.tag(processed, 'messaging.message.id')).toBe(view.tag(send, 'messaging.message.id'));
    expect(view.tag(processed, 'messaging.consumer.group.name')).toBe('payment-service');
    expect(view.tag(processed, 'tracehop.kafka.hop_mode')).toBe('child');
  });

  it('logs on both sides of a Kafka hop carry the same trace id and the span that wrote them', async () => {
    const trace = (await jaegerTrace(traceId))!;
    const view = traceView(trace);
    const [processCreated] = view.find('payment-service', `process ${TOPICS.orderCreated}`);
    const placed = await eventually('order-service log in VictoriaLogs', 60, async () =>
      (await logsForTrace('order-service', traceId)).find((e) => e.message === 'order placed'),
    );
    const paid = await eventually('payment-service log in VictoriaLogs', 60, async () =>
      (await logsForTrace('payment-service', traceId)).find((e) => e.message === 'payment completed'),
    );
    const placedSpan = trace.spans.find((span) => span.spanID === placed.fields.span_id);
    expect(placedSpan && view.service(placedSpan)).toBe('order-service');
    expect(paid.fields.span_id).toBe(processCreated.spanID);
  });

  it('every service emits the signals the matrix says, read back from Jaeger, VictoriaLogs and Prometheus', async () => {
    const trace = (await jaegerTrace(traceId))!;
    const view = traceView(trace);
    for (const [service, signals] of Object.entries(SIGNAL_MATRIX)) {
      for (const name of signals.spans)
        expect({ service, span: name, found: view.find(service, name).length > 0 }).toEqual({ service, span: name, found: true });
      const lines = await eventually(`${service} logs in VictoriaLogs`, 60, async () => {
        const found = (await logsForTrace(service, traceId)).map((entry) => entry.message);
        return signals.logs.every((line) => found.includes(line)) ? found : undefined;
      });
      expect(lines).toEqual(expect.arrayContaining(signals.logs));
      for (const metric of [...signals.metrics, `traces_span_metrics_calls_total{service_name="${service}"}`]) {
        const selector = metric.startsWith('traces_') ? metric : `${metric}{job="tracehop/${service}"}`;
        const value = await eventually(`${selector} in Prometheus`, 60, async () => {
          const found = await prometheusQuery(`sum(${selector})`);
          return found.length && Number(found[0].value[1]) > 0 ? Number(found[0].value[1]) : undefined;
        });
        expect(value).toBeGreaterThan(0);
      }
    }
  });
});
