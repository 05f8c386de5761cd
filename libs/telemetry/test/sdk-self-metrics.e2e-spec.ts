import { randomUUID } from 'node:crypto';
import { prometheusValue } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { launchService, stopService, waitUntilReady } from '../../../test/support/services';

// The batch span processor's own metrics (otel.sdk.processor.span.*) are what tells a dropped span
// (error.type=queue_full) from an exported one: they must reach Prometheus like any service metric.
describe('the SDK reports its span processor (real service, agent, gateway, Prometheus)', () => {
  it('exports otel.sdk.processor.span.processed and the queue capacity for the service instance', async () => {
    const instance = randomUUID();
    const service = launchService('user-service', { OTEL_RESOURCE_ATTRIBUTES: `service.instance.id=${instance}`, PORT: '3193' });
    try {
      await waitUntilReady(service);
      for (let i = 0; i < 20; i++) expect((await fetch(`${service.url}/users/${randomUUID()}`)).status).toBe(404);
      const processed = await eventually('processed spans in Prometheus', 60, async () => {
        const value = await prometheusValue(`sum(otel_sdk_processor_span_processed_total{instance="${instance}", error_type=""})`);
        return value !== undefined && value >= 20 ? value : undefined;
      });
      expect(processed).toBeGreaterThanOrEqual(20);
      expect(await prometheusValue(`otel_sdk_processor_span_queue_capacity{instance="${instance}"}`)).toBe(8192);
      // Nothing dropped at this load: no queue_full series at all.
      expect(
        await prometheusValue(`otel_sdk_processor_span_processed_total{instance="${instance}", error_type="queue_full"}`),
      ).toBeUndefined();
    } finally {
      await stopService(service);
    }
  });
});
