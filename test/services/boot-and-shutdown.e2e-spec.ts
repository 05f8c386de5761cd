import { once } from 'node:events';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from '../support/kafka-source';
import { launchService, stopService, waitUntilReady } from '../support/services';

/** A bad environment stops the boot with a message naming the variable; SIGTERM shuts down gracefully. */
describe('service boot and shutdown', () => {
  it('exits 1 naming every bad variable, without echoing values', async () => {
    const service = launchService('payment-service', {
      PORT: 'eighty',
      PAYMENT_PROCESSOR_FAILURE_RATE: '2',
      DATABASE_URL: 'mysql://secret@db/x',
    });
    const [code] = (await once(service.process, 'exit')) as [number];
    expect(code).toBe(1);
    const output = service.output();
    expect(output).toContain('payment-service cannot start: invalid configuration');
    for (const name of ['PORT', 'PAYMENT_PROCESSOR_FAILURE_RATE', 'DATABASE_URL']) expect(output).toContain(`${name}:`);
    expect(output).not.toContain('secret');
  });

  it('on SIGTERM leaves its consumer group, closes and exits 0', async () => {
    const service = launchService('user-service');
    await waitUntilReady(service);
    const admin = new Kafka({ clientId: 'shutdown-spec', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const members = async () => (await admin.describeGroups(['user-service'])).groups[0].members.length;
      expect(await members()).toBeGreaterThan(0);
      expect(await stopService(service)).toBe(0);
      expect(service.output()).toContain('"message":"stopped"');
      expect(await members()).toBe(0);
    } finally {
      await admin.disconnect();
    }
  });
});
