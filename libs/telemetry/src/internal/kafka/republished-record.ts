import { propagation, ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';
import { ATTR_TRACEHOP_LINK_REASON } from '../../attributes';
import { REPUBLISH_HEADERS } from '../../headers';
import type { ConsumedRecord, KafkaHeaders } from '../../types';
import { headerValues, inspectTraceparent, kafkaHeaderGetter } from './header-values';

/** How many times the record was republished before (0 for an original; malformed counts as 0). */
export function attemptOf(headers: KafkaHeaders | undefined): number {
  const value = Number(headerValues(headers, REPUBLISH_HEADERS.attempt).pop());
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

/** Where a record was first consumed from: topic, partition and offset, as header values. */
export interface OriginalPosition {
  topic: string;
  partition: string;
  offset: string;
}

const KAFKA_NUMBER = /^\d+$/;

/**
 * Where the record was first consumed from: what an earlier republish recorded, or the record itself.
 * The three headers count only together and well-formed (malformed metadata is ignored, not fatal):
 * mixing the origin's topic with this record's offset would point at a record that never failed.
 */
export function originalPosition({ topic, partition, message }: ConsumedRecord): OriginalPosition {
  const [carriedTopic] = headerValues(message.headers, REPUBLISH_HEADERS.originalTopic);
  const [carriedPartition] = headerValues(message.headers, REPUBLISH_HEADERS.originalPartition);
  const [carriedOffset] = headerValues(message.headers, REPUBLISH_HEADERS.originalOffset);
  return carriedTopic && KAFKA_NUMBER.test(carriedPartition ?? '') && KAFKA_NUMBER.test(carriedOffset ?? '')
    ? { topic: carriedTopic, partition: carriedPartition, offset: carriedOffset }
    : { topic, partition: String(partition), offset: message.offset };
}

/** The traceparent of the record's first creation: kept across every retry, so links point at the origin. */
export function originTraceparent(headers: KafkaHeaders | undefined): string | undefined {
  const carried = inspectTraceparent({ traceparent: headerValues(headers, REPUBLISH_HEADERS.originTraceparent) });
  return carried.traceparent ?? inspectTraceparent(headers).traceparent;
}

/** A link to the creation context of a republished record's first version, if it carries one. */
export function originLinks(headers: KafkaHeaders | undefined): Link[] {
  const origin = inspectTraceparent({ traceparent: headerValues(headers, REPUBLISH_HEADERS.originTraceparent) });
  if (!origin.traceparent) return [];
  const context = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: origin.traceparent }, kafkaHeaderGetter));
  return context && trace.isSpanContextValid(context) ? [{ context, attributes: { [ATTR_TRACEHOP_LINK_REASON]: 'republished_from' } }] : [];
}
