import { jaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';

const PROBLEM_JSON = /^application\/problem\+json/;
/** W3C Trace Context Level 2: version 00, trace id, the callee's span id, flags. */
const TRACE_RESPONSE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** What a client of the HTTP APIs sees: validation with field messages, domain errors as problem details, docs, health. */
describe('HTTP APIs', () => {
  let running: RunningServices;
  let shop: ReturnType<typeof shopClient>;
  let userId: string;

  beforeAll(async () => {
    running = await startServices();
    shop = shopClient(running);
    userId = (await shop.registerUser()).body.id;
  });

  afterAll(() => running?.stop());

  it('an invalid order body is a 400 problem with a message per field', async () => {
    const response = await shop.placeOrder({
      userId: 'nope',
      currency: 'XYZ',
      items: [{ sku: '', quantity: 0, unitPriceMinor: 1.5 }],
      extra: true,
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(PROBLEM_JSON);
    expect(response.body).toMatchObject({ type: 'urn:tracehop:problem:validation', status: 400, instance: '/orders' });
    expect(Object.keys((response.body as unknown as { errors: object }).errors).sort()).toEqual([
      'currency',
      'extra',
      'items.0.quantity',
      'items.0.sku',
      'items.0.unitPriceMinor',
      'userId',
    ]);
  });

  it('an order without items, or with malformed JSON, is a 400 problem, never a 500', async () => {
    expect((await shop.placeOrder({ userId, currency: 'EUR', items: [] })).body).toMatchObject({
      status: 400,
      errors: { items: [expect.stringContaining('at least 1')] },
    });
    const malformed = await shop.raw('POST', `${running.url['order-service']}/orders`, '{"userId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('content-type')).toMatch(PROBLEM_JSON);
  });

  it('an unknown user is a 422 (checked over HTTP with user-service)', async () => {
    const response = await shop.placeOrder(anOrder('7b0a4d8e-8a5e-4f3e-9d2f-000000000000'));
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ type: 'urn:tracehop:problem:unknown-user', errors: { userId: ['no such user'] } });
  });

  it('a duplicate e-mail is a 409, whatever its case', async () => {
    const email = `dup-${Date.now()}@example.com`;
    expect((await shop.registerUser(email)).status).toBe(201);
    const again = await shop.registerUser(email.toUpperCase());
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: 'urn:tracehop:problem:duplicate-email', errors: { email: ['is already registered'] } });
  });

  it('an invalid e-mail is a 400 naming the field', async () => {
    const response = await shop.registerUser('not-an-email');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: { email: ['email must be an email'] } });
  });

  it('reads: unknown ids are 404 problems, malformed ids and a missing orderId are 400s', async () => {
    expect((await shop.getOrder('7b0a4d8e-8a5e-4f3e-9d2f-000000000000')).body).toMatchObject({
      status: 404,
      type: 'urn:tracehop:problem:order-not-found',
    });
    expect((await shop.getUser('7b0a4d8e-8a5e-4f3e-9d2f-000000000000')).body).toMatchObject({
      status: 404,
      type: 'urn:tracehop:problem:user-not-found',
    });
    expect((await shop.getOrder('123')).body).toMatchObject({ status: 400, errors: { id: ['id must be a UUID'] } });
    const noOrderId = await shop.raw('GET', `${running.url['payment-service']}/payments`);
    expect(noOrderId.body).toMatchObject({ status: 400, errors: { orderId: ['orderId must be a UUID'] } });
  });

  it('the same Idempotency-Key and body return the first order; another body with that key is a 422', async () => {
    const key = `order-${Date.now()}`;
    const first = await shop.placeOrder(anOrder(userId), { 'Idempotency-Key': key });
    const second = await shop.placeOrder(anOrder(userId), { 'Idempotency-Key': key });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    const other = await shop.placeOrder(anOrder(userId, 999), { 'Idempotency-Key': key });
    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ type: 'urn:tracehop:problem:idempotency-key-reused' });
    await shop.settled(first.body.id);
    expect((await shop.payments(first.body.id)).body).toHaveLength(1);
  });

  it('every service serves its OpenAPI document and health endpoints', async () => {
    for (const url of Object.values(running.url)) {
      const openApi = await shop.raw<{ openapi: string; paths: object }>('GET', `${url}/docs-json`);
      expect(openApi.body.openapi).toMatch(/^3\./);
      expect(Object.keys(openApi.body.paths)).toEqual(expect.arrayContaining(['/health/live', '/health/ready']));
      expect((await fetch(`${url}/docs`)).status).toBe(200);
      expect((await shop.raw('GET', `${url}/health/live`)).status).toBe(200);
      expect((await shop.raw('GET', `${url}/health/ready`)).body).toMatchObject({
        status: 'ok',
        details: { postgres: { status: 'up' }, kafka: { status: 'up' } },
      });
    }
  });

  it('every response names its trace in traceresponse, and every problem body carries that trace id', async () => {
    const user = running.url['user-service'];
    const answers = [
      await shop.getUser(userId), // 200
      await shop.registerUser('not-an-email'), // 400 from validation
      await shop.raw('POST', `${running.url['order-service']}/orders`, '{"userId":'), // 400 from the body parser
      await shop.raw('GET', `${user}/no-such-route`), // 404 from the router
      await shop.placeOrder(anOrder('7b0a4d8e-8a5e-4f3e-9d2f-000000000000')), // 422 after an HTTP call to user-service
      await shop.raw('GET', `${user}/health/live`),
    ];
    for (const answer of answers) {
      const [, traceId, spanId, flags] = TRACE_RESPONSE.exec(answer.headers.get('traceresponse') ?? '') ?? [];
      // The client's traceparent started the trace: the service continued it and says so, sampled.
      expect({ status: answer.status, traceId, flags }).toEqual({ status: answer.status, traceId: answer.traceId, flags: '01' });
      if (answer.status >= 400) expect(answer.body).toMatchObject({ traceId: answer.traceId });
      else expect(answer.body).not.toHaveProperty('traceId');
      expect(spanId).not.toBe('0000000000000000');
    }
    // The child id is the server span that answered: the failed order's trace shows it.
    const failed = answers[4];
    const serverSpanId = TRACE_RESPONSE.exec(failed.headers.get('traceresponse')!)![2];
    const stored = await eventually('the failed order trace in Jaeger', 30, async () => {
      const found = await jaegerTrace(failed.traceId);
      return found?.spans.some((span) => span.spanID === serverSpanId) ? found : undefined;
    });
    const server = stored.spans.find((span) => span.spanID === serverSpanId)!;
    expect(stored.processes[server.processID].serviceName).toBe('order-service');
    expect(server.operationName).toBe('POST /orders');
  });

  it('failure injection: switches are read and changed over the loopback admin endpoint, all or nothing', async () => {
    const admin = `${running.url['payment-service']}/admin/faults`;
    expect((await shop.raw('GET', admin)).body).toMatchObject({
      processorFailureRate: { value: 0 },
      processorLatencyMs: { value: 50 },
      consumerDelayMs: { value: 0 },
    });
    const refused = await shop.raw('PATCH', admin, { processorFailureRate: 2, processorLatencyMs: 10 });
    expect(refused.body).toMatchObject({ status: 400, errors: { processorFailureRate: ['expected a rate between 0 and 1'] } });
    expect((await shop.raw('PATCH', admin, { processorLatencyMs: 10 })).body).toMatchObject({ processorLatencyMs: { value: 10 } });
    expect((await shop.raw('PATCH', admin, { processorLatencyMs: 50 })).status).toBe(200);
    const unknownTopic = await shop.raw('POST', `${admin}/poison-message`, { topic: `no-such-topic-${Date.now()}` });
    expect(unknownTopic.status).toBe(422);
    expect(unknownTopic.body).toMatchObject({ type: 'urn:tracehop:problem:unknown-topic', errors: { topic: ['no such topic'] } });
  });
});
