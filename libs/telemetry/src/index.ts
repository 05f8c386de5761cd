// Public API of @tracehop/telemetry: README.md, "API", lists it; test/public-api.spec.ts holds it to that list.

// Start and stop (or preload `@tracehop/telemetry/register`).
export { shutdownTelemetry, startTelemetry } from './start';

// Kafka: the instrumentation, and the helpers a consumer or a custom transport calls.
export { TracehopKafkaJsInstrumentation } from './kafka/kafkajs-instrumentation';
export { messageInContext } from './kafka/message-context';
export { processBatchMessage } from './kafka/process-batch-message';
export { republish } from './kafka/republish';
export { recordFailure } from './kafka/span-outcome';
export { errorTypeOf } from './error-type';
export { extractTraceContext, headerValues, withTraceHeaders } from './kafka/trace-headers';
export { KafkaHandlerTracingInterceptor } from './nest/kafka-handler-tracing.interceptor';

// HTTP: tell the client which trace served its request.
export { activeTraceId, TRACE_RESPONSE_HEADER, traceResponse } from './http/trace-response';

// Samplers, for applications that build their own SDK (startTelemetry picks them from OTEL_TRACES_SAMPLER).
export { LinkedContextSampler } from './sampling/linked-context-sampler';
export { ProbabilitySampler } from './sampling/probability-sampler';
export { RateLimitingSampler } from './sampling/rate-limiting-sampler';

// Logs.
export { createLogger } from './logs/logger';
export { RateLimitedWarning } from './logs/rate-limited-warning';

// Names: tracehop's span attributes and Kafka headers.
export * from './attributes';
export { MESSAGE_ID_HEADER, REPUBLISH_HEADERS } from './headers';

export type * from './types';
