import { randomUUID } from 'node:crypto';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { endpoints } from '../../../test/support/backends';
import { eventually } from '../../../test/support/eventually';
import { stackCommand } from '../../../test/support/stack-cli';
import { DEFAULT_RETRY_DELAYS, RetryingExporter } from '../src/internal/export/retrying-exporter';

const spansPerRun = 120;
const everyMillis = 50;

function providerFor(serviceName: string, exporter: SpanExporter): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName, 'service.namespace': 'tracehop-tests' }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200, maxExportBatchSize: 32 })],
  });
}

async function tracesInJaeger(serviceName: string): Promise<number> {
  const end = Date.now() * 1000;
  const url = `${endpoints.jaeger}/api/traces?service=${serviceName}&start=${end - 3_600_000_000}&end=${end}&limit=${spansPerRun * 2}`;
  const body = (await (await fetch(url)).json()) as { data?: unknown[] };
  return body.data?.length ?? 0;
}

describe('OTLP gRPC export across an agent restart (real stack)', () => {
  it('loses no span with RetryingExporter while the agent is down for a few seconds', async () => {
    const run = randomUUID().slice(0, 8);
    const retrying = `retrying-export-${run}`;
    const plain = `plain-export-${run}`;
    const url = `http://${endpoints.agentGrpc}`;
    const withRetry = providerFor(
      retrying,
      new RetryingExporter(new OTLPTraceExporter({ url }), { ...DEFAULT_RETRY_DELAYS, budgetMillis: 25_000 }),
    );
    const withoutRetry = providerFor(plain, new OTLPTraceExporter({ url }));

    let sent = 0;
    const ticker = setInterval(() => {
      if (sent >= spansPerRun) return;
      sent += 1;
      withRetry.getTracer('probe').startSpan(`span ${sent}`).end();
      withoutRetry.getTracer('probe').startSpan(`span ${sent}`).end();
    }, everyMillis);

    try {
      await new Promise((r) => setTimeout(r, 1500));
      await stackCommand('down', 'agent');
      await new Promise((r) => setTimeout(r, 2000));
      await stackCommand('up', 'agent');
      await eventually('all spans emitted', 30, async () => (sent >= spansPerRun ? true : undefined));
    } finally {
      clearInterval(ticker);
      await stackCommand('up', 'agent');
    }
    await Promise.all([withRetry.forceFlush(), withoutRetry.forceFlush()]);

    const kept = await eventually(`${spansPerRun} traces of ${retrying} in Jaeger`, 40, async () => {
      const count = await tracesInJaeger(retrying);
      return count >= spansPerRun ? count : undefined;
    });
    expect(kept).toBe(spansPerRun);
    // Side by side, the exporter alone: recorded for docs/telemetry, not asserted (upstream behaviour).
    console.log(
      `agent restart: ${kept}/${spansPerRun} spans kept with RetryingExporter, ${await tracesInJaeger(plain)}/${spansPerRun} without`,
    );
    await Promise.all([withRetry.shutdown(), withoutRetry.shutdown()]);
  });
});
