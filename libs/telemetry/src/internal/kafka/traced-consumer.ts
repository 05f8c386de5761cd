import {
  context,
  diag,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Batch, EachBatchHandler, EachBatchPayload, EachMessageHandler, EachMessagePayload, KafkaMessage } from 'kafkajs';
import {
  ATTR_TRACEHOP_KAFKA_HOP_MODE,
  ATTR_TRACEHOP_LINKS_OMITTED_COUNT,
  ATTR_TRACEHOP_PROPAGATION_BROKEN,
  ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT,
} from '../../attributes';
import { PRODUCED_AT_HEADER } from '../../headers';
import { recordFailure } from '../../kafka/span-outcome';
import { extractTraceContext } from '../../kafka/trace-headers';
import type { RateLimitedWarning } from '../../logs/rate-limited-warning';
import type { HopMode, TracehopKafkaJsConfig } from '../../types';
import type { MessagingMetrics } from '../metrics/messaging-metrics';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_SYSTEM_VALUE_KAFKA,
} from '../semconv';
import { runHook } from './guarded';
import { headerValues, inspectTraceparent } from './header-values';
import { placeProcessSpan } from './hop-mode';
import { messageAttributes, metricAttributes, type MessageAttributeOptions } from './message-attributes';
import { originLinks } from './republished-record';

export interface ConsumerTracing extends MessageAttributeOptions {
  tracer: Tracer;
  hopMode: HopMode;
  groupId: string;
  /** Broken trace headers are worth one warning, not one per message. */
  brokenHeaderWarning: RateLimitedWarning;
  metrics: MessagingMetrics;
  /** At most this many links on a poll span: the SDK's link count limit. */
  linkLimit: number;
  hook?: TracehopKafkaJsConfig['consumerHook'];
}

/** The metric attributes of this consumer's operation on one partition of a topic. */
function consumerMetricAttributes(tracing: ConsumerTracing, topic: string, partition: number, operationName: string): Attributes {
  return metricAttributes(tracing, topic, operationName, {
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: tracing.groupId,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
  });
}

/** Duration and end-to-end latency of one record's processing. */
export function measured<T>(
  tracing: ConsumerTracing,
  topic: string,
  partition: number,
  message: KafkaMessage,
  work: () => Promise<T>,
): Promise<T> {
  const producedAt = Number(headerValues(message.headers, PRODUCED_AT_HEADER)[0]);
  const attributes = consumerMetricAttributes(tracing, topic, partition, 'process');
  return tracing.metrics.measureProcess(attributes, Number.isFinite(producedAt) ? producedAt : undefined, work);
}

function processAttributes(tracing: ConsumerTracing, topic: string, partition: number, message: KafkaMessage): Attributes {
  return {
    ...messageAttributes(tracing, topic, message),
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: tracing.groupId,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
    [ATTR_TRACEHOP_KAFKA_HOP_MODE]: tracing.hopMode,
  };
}

/**
 * Starts the `process <topic>` CONSUMER span of one record, placed by the hop mode. A malformed
 * traceparent starts a new trace, marked with tracehop.propagation.broken and warned about (rate
 * limited); a duplicated header is resolved to its last valid value and counted on the span.
 */
export function startProcessSpan(
  tracing: ConsumerTracing,
  topic: string,
  partition: number,
  message: KafkaMessage,
  extraLinks: Link[] = [],
): { span: Span; context: Context } {
  const inspection = inspectTraceparent(message.headers);
  const placement = placeProcessSpan(tracing.hopMode, extractTraceContext(ROOT_CONTEXT, message.headers));
  const attributes = processAttributes(tracing, topic, partition, message);
  if (inspection.state === 'malformed') {
    attributes[ATTR_TRACEHOP_PROPAGATION_BROKEN] = 'malformed_traceparent';
    tracing.brokenHeaderWarning.say(
      `kafka record ${topic}[${partition}]@${message.offset} has a malformed traceparent; processing it under a new trace`,
    );
  }
  if (inspection.count > 1) attributes[ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT] = inspection.count;
  const links = [...placement.links, ...originLinks(message.headers), ...extraLinks];
  const span = tracing.tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links }, placement.parent);
  runHook('consumerHook', tracing.hook, span, { topic, message });
  return { span, context: trace.setSpan(placement.parent, span) };
}

/**
 * Wraps an eachMessage handler: the handler runs inside the record's process span, a throw marks
 * the span failed and is rethrown (kafkajs' own retry decides what happens next). If tracing itself
 * fails, the handler runs untraced.
 */
export function tracedEachMessage(tracing: ConsumerTracing, handler: EachMessageHandler): EachMessageHandler {
  return (payload: EachMessagePayload) =>
    runInSpan(
      () => startProcessSpan(tracing, payload.topic, payload.partition, payload.message),
      () => {
        tracing.metrics.consumed(consumerMetricAttributes(tracing, payload.topic, payload.partition, 'process'), 1);
        return measured(tracing, payload.topic, payload.partition, payload.message, () => handler(payload));
      },
    );
}

/** Runs work inside a span that `start` opens; a tracing failure runs the work untraced. */
export async function runInSpan<T>(start: () => { span: Span; context: Context }, work: () => Promise<T>): Promise<T> {
  let started: { span: Span; context: Context };
  try {
    started = start();
  } catch (error) {
    diag.error('tracehop kafka: could not start a span; running untraced', error);
    return work();
  }
  try {
    return await context.with(started.context, work);
  } catch (error) {
    recordFailure(started.span, error);
    throw error;
  } finally {
    started.span.end();
  }
}

/** What processBatchMessage needs to know about a batch being handled. */
const batchesInFlight = new WeakMap<Batch, { tracing: ConsumerTracing; poll: Link }>();

/** The instrumented batch's tracing and poll span, while its handler runs. */
export function inFlightBatch(batch: Batch): { tracing: ConsumerTracing; poll: Link } | undefined {
  return batchesInFlight.get(batch);
}

function startPollSpan(tracing: ConsumerTracing, batch: Batch): { span: Span; context: Context } {
  const producers = batch.messages
    .map((message) => trace.getSpanContext(extractTraceContext(ROOT_CONTEXT, message.headers)))
    .filter((producer) => producer !== undefined && trace.isSpanContextValid(producer));
  // The batch's first records keep their links; the SDK would keep the last and count the rest silently.
  const links = producers.slice(0, tracing.linkLimit).map((producer) => ({ context: producer! }));
  const omitted = producers.length - links.length;
  const span = tracing.tracer.startSpan(
    `poll ${batch.topic}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
        [ATTR_MESSAGING_DESTINATION_NAME]: batch.topic,
        [ATTR_MESSAGING_OPERATION_TYPE]: 'receive',
        [ATTR_MESSAGING_OPERATION_NAME]: 'poll',
        [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: tracing.groupId,
        [ATTR_MESSAGING_CLIENT_ID]: tracing.clientId,
        ...tracing.connection,
        [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(batch.partition),
        [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.messages.length,
        [ATTR_TRACEHOP_LINKS_OMITTED_COUNT]: omitted > 0 ? omitted : undefined,
      },
      links,
    },
    ROOT_CONTEXT,
  );
  batchesInFlight.set(batch, { tracing, poll: { context: span.spanContext() } });
  return { span, context: trace.setSpan(ROOT_CONTEXT, span) };
}

/**
 * Wraps an eachBatch handler in a `poll <topic>` span that links to the messages' producer contexts
 * (up to the link limit; tracehop.links.omitted_count says how many more there were). Per-message
 * work belongs in processBatchMessage, which gives each message its own process span, placed by hop
 * mode like eachMessage's (not under the poll span).
 */
export function tracedEachBatch(tracing: ConsumerTracing, handler: EachBatchHandler): EachBatchHandler {
  return (payload: EachBatchPayload) =>
    runInSpan(
      () => startPollSpan(tracing, payload.batch),
      () => {
        const { topic, partition, messages } = payload.batch;
        tracing.metrics.consumed(consumerMetricAttributes(tracing, topic, partition, 'poll'), messages.length);
        return handler(payload);
      },
    );
}
