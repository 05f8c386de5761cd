// Public API of @tracehop/telemetry (what exists so far: see README.md).
export { extractTraceContext, headerValues, inspectTraceparent, kafkaHeaderGetter, withTraceHeaders } from './kafka/trace-headers';
export type { KafkaHeaders, KafkaHeaderValue, TraceparentInspection, TraceparentState } from './kafka/trace-headers';
export { messageKeyAttribute } from './kafka/message-key';
export type { MessageKeyMode } from './kafka/message-key';
export { LinkedContextSampler } from './sampling/linked-context-sampler';
export { RateLimitingSampler } from './sampling/rate-limiting-sampler';
export { SAMPLER_NAMES, samplerFromEnv } from './sampling/sampler-from-env';
export type { SamplerName } from './sampling/sampler-from-env';
export { DEFAULT_RETRY, RetryingExporter } from './export/retrying-exporter';
export type { Exporter, RetryOptions } from './export/retrying-exporter';
export { RateLimitedWarning } from './export/rate-limited-warning';
export { TracehopKafkaJsInstrumentation } from './kafka/kafkajs-instrumentation';
export type { TracehopKafkaJsConfig } from './kafka/kafkajs-instrumentation';
export { DEFAULT_HOP_MODE, HOP_MODES, hopModeFromEnv, placeProcessSpan } from './kafka/hop-mode';
export type { HopMode } from './kafka/hop-mode';
