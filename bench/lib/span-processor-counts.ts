import { waitUntil } from '../../infra/stack/src/wait-until';
import { prometheusValue } from '../../test/support/backends';

/**
 * The SDK's own counts for one service instance (otel.sdk.processor.span.processed): spans its batch
 * processor handed on, and spans it dropped because its queue was full (error.type=queue_full), once
 * Prometheus holds that instance's final figures: the first count reads the same twice, a scrape
 * interval (5 s) apart.
 */
export async function spanProcessorCounts(instance: string): Promise<{ processed: number; dropped: number }> {
  const total = (errorType: string) =>
    prometheusValue(`sum(otel_sdk_processor_span_processed_total{instance="${instance}", error_type="${errorType}"})`);
  // null: not read yet. Undefined twice in a row: this instance never processed a span (always_off).
  let last: number | undefined | null = null;
  await waitUntil(
    async () => {
      const now = await total('');
      const settled = now === last;
      last = now;
      return settled;
    },
    { what: `span processor metrics of ${instance} in Prometheus`, timeoutMs: 90_000, intervalMs: 6_000 },
  );
  return { processed: last ?? 0, dropped: (await total('queue_full')) ?? 0 };
}
