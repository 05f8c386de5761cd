import { loadManifest } from '../../infra/stack/src/manifest';
import { eventually } from '../support/eventually';
import { startServices, type RunningServices } from '../support/services';
import { anOrder, shopClient } from '../support/shop-client';
import { stackCommand } from '../support/stack-cli';

/**
 * The outbox at work: with the broker down an order is still accepted (stored with its event in one
 * transaction), readiness says Kafka is down, and once the broker is back the relay publishes and the
 * order reaches a terminal state. Nothing crashes meanwhile.
 */
describe('Kafka outage', () => {
  let running: RunningServices;
  let shop: ReturnType<typeof shopClient>;

  beforeAll(async () => {
    // This spec stops and starts the native stack's broker, so its services use that one whatever the run's Kafka source.
    const native = { KAFKA_BROKERS: `127.0.0.1:${loadManifest().ports.KAFKA_PORT}` };
    running = await startServices({ 'user-service': native, 'order-service': native, 'payment-service': native });
    shop = shopClient(running);
  });

  afterAll(async () => {
    await stackCommand('up', 'kafka');
    await running?.stop();
  });

  it('an order placed while Kafka is stopped reaches a terminal state after Kafka starts again', async () => {
    const userId = (await shop.registerUser()).body.id;
    await eventually('payment account opened (user-registered consumed)', 30, async () => {
      const probe = await shop.placeOrder(anOrder(userId, 1, 1));
      return (await shop.settled(probe.body.id)).status === 'CONFIRMED' ? true : undefined;
    });

    await stackCommand('down', 'kafka');
    const placed = await shop.placeOrder(anOrder(userId));
    expect(placed.status).toBe(201);
    expect(placed.body.status).toBe('PENDING');
    const readiness = await eventually('readiness reports Kafka down', 30, async () => {
      const ready = await shop.raw<{ status: number; details?: { kafka?: { status: string } } }>(
        'GET',
        `${running.url['order-service']}/health/ready`,
      );
      return ready.status === 503 ? ready.body : undefined;
    });
    expect(readiness.details?.kafka?.status).toBe('down');
    expect((await shop.getOrder(placed.body.id)).body.status).toBe('PENDING');

    await stackCommand('up', 'kafka');
    const order = await shop.settled(placed.body.id, 120);
    expect(order.status).toBe('CONFIRMED');
    for (const service of running.services) expect(service.process.exitCode).toBeNull();
  });
});
