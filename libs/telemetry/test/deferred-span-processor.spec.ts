import { ROOT_CONTEXT } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { DeferredSpanProcessor } from '../src/internal/export/deferred-span-processor';

describe('DeferredSpanProcessor', () => {
  it('drops nothing it was given after attach, and forwards flush and shutdown', async () => {
    const deferred = new DeferredSpanProcessor();
    const provider = new TracerProvider({ spanProcessors: [deferred] });
    const tracer = provider.getTracer('deferred-spec');
    // Before attach: no processor to hand to, and no failure either.
    tracer.startSpan('before attach', {}, ROOT_CONTEXT).end();
    await expect(deferred.forceFlush()).resolves.toBeUndefined();

    const exporter = new InMemorySpanExporter();
    const inner = new SimpleSpanProcessor({ exporter });
    const shutdown = jest.spyOn(inner, 'shutdown');
    deferred.attach(inner);
    tracer.startSpan('after attach', {}, ROOT_CONTEXT).end();
    await provider.forceFlush();

    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['after attach']);
    await provider.shutdown();
    expect(shutdown).toHaveBeenCalledTimes(1);
  });
});
