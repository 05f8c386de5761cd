import { context, diag, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { EachMessageHandler, EachMessagePayload, KafkaMessage } from 'kafkajs';
import { RateLimitedWarning } from '../export/rate-limited-warning';
import { placeProcessSpan, type HopMode } from './hop-mode';
import { messageKeyAttribute, type MessageKeyMode } from './message-key';
import {
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_TRACEHOP_KAFKA_HOP_MODE,
  ATTR_TRACEHOP_PROPAGATION_BROKEN,
  ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT,
  MESSAGE_ID_HEADER,
  MESSAGING_SYSTEM_VALUE_KAFKA,
} from './semconv';
import { recordFailure } from './span-outcome';
import { extractTraceContext, headerValues, inspectTraceparent } from './trace-headers';

export interface ConsumerTracing {
  tracer: Tracer;
  hopMode: HopMode;
  groupId: string;
  clientId?: string;
  messageKey: MessageKeyMode;
  messageKeySalt: string;
  /** Broken trace headers are worth one warning, not one per message. */
  brokenHeaderWarning: RateLimitedWarning;
}

function processAttributes(tracing: ConsumerTracing, topic: string, partition: number, message: KafkaMessage): Attributes {
  return {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_VALUE_KAFKA,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: tracing.groupId,
    [ATTR_MESSAGING_CLIENT_ID]: tracing.clientId,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
    [ATTR_MESSAGING_KAFKA_MESSAGE_KEY]: messageKeyAttribute(message.key, tracing.messageKey, tracing.messageKeySalt),
    [ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE]: message.key != null && message.value === null ? true : undefined,
    [ATTR_MESSAGING_MESSAGE_ID]: headerValues(message.headers, MESSAGE_ID_HEADER)[0],
    [ATTR_TRACEHOP_KAFKA_HOP_MODE]: tracing.hopMode,
  };
}

/**
 * Starts the `process <topic>` CONSUMER span of one record, placed by the hop mode. A malformed
 * traceparent starts a new trace, marked with tracehop.propagation.broken and warned about (rate
 * limited); a duplicated header is resolved to its last valid value and counted on the span.
 */
export function startProcessSpan(tracing: ConsumerTracing, topic: string, partition: number, message: KafkaMessage): { span: Span; context: Context } {
  const inspection = inspectTraceparent(message.headers);
  const placement = placeProcessSpan(tracing.hopMode, extractTraceContext(ROOT_CONTEXT, message.headers));
  const attributes = processAttributes(tracing, topic, partition, message);
  if (inspection.state === 'malformed') {
    attributes[ATTR_TRACEHOP_PROPAGATION_BROKEN] = 'malformed_traceparent';
    tracing.brokenHeaderWarning.say(`kafka record ${topic}[${partition}]@${message.offset} has a malformed traceparent; processing it under a new trace`);
  }
  if (inspection.count > 1) attributes[ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT] = inspection.count;
  const span = tracing.tracer.startSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, attributes, links: placement.links }, placement.parent);
  return { span, context: trace.setSpan(placement.parent, span) };
}

/**
 * Wraps an eachMessage handler: the handler runs inside the record's process span, a throw marks
 * the span failed and is rethrown (kafkajs' own retry decides what happens next). If tracing itself
 * fails, the handler runs untraced.
 */
export function tracedEachMessage(tracing: ConsumerTracing, handler: EachMessageHandler): EachMessageHandler {
  return async (payload: EachMessagePayload) => {
    let started: { span: Span; context: Context };
    try {
      started = startProcessSpan(tracing, payload.topic, payload.partition, payload.message);
    } catch (error) {
      diag.error('tracehop kafka: could not trace a record; processing it untraced', error);
      return handler(payload);
    }
    try {
      return await context.with(started.context, () => handler(payload));
    } catch (error) {
      recordFailure(started.span, error);
      throw error;
    } finally {
      started.span.end();
    }
  };
}
