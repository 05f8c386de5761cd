import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpanContextValid, trace, type SpanContext } from '@opentelemetry/api';

/** W3C Trace Context Level 2's response header: which trace, and which span of the callee, handled the request. */
export const TRACE_RESPONSE_HEADER = 'traceresponse';

/**
 * The `traceresponse` value for a span: version `00`, the trace id, the span's own id as the
 * child id, and its trace flags (sampled: the callee recorded the request). Undefined for an invalid
 * context (no SDK, or a non-recording placeholder span).
 */
export function traceResponseValue(spanContext: SpanContext | undefined): string | undefined {
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** The trace id of the active span, if there is one: what an error body hands the client. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/**
 * Connect/Express middleware that answers every request with `traceresponse` naming the HTTP server
 * span (the active span when the middleware runs: instrumentation-http starts it before any
 * middleware). Register it first, so that 404s, body-parser failures and health checks carry it too.
 */
export function traceResponse(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const value = traceResponseValue(trace.getActiveSpan()?.spanContext());
  if (value) response.setHeader(TRACE_RESPONSE_HEADER, value);
  next();
}
