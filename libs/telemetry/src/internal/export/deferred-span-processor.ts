import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Hands spans to a processor attached after the SDK started. The batch span processor reports its
 * own metrics (otel.sdk.processor.span.processed, with error.type=queue_full for dropped spans;
 * queue size and capacity) only to the meter provider it is built with, and NodeSDK creates that
 * provider in start(), after the span processors were given to it. Nothing can end a span between
 * start() and attach(): the tracer provider is registered inside start().
 */
export class DeferredSpanProcessor implements SpanProcessor {
  private inner: SpanProcessor | undefined;

  attach(processor: SpanProcessor): void {
    this.inner = processor;
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner?.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    this.inner?.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner?.shutdown() ?? Promise.resolve();
  }
}
