import { propagation, ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';
import { ATTR_TRACEHOP_LINK_REASON } from '../../attributes';
import { REPUBLISH_HEADERS } from '../../headers';
import type { KafkaHeaders } from '../../types';
import { headerValues, inspectTraceparent, kafkaHeaderGetter } from './header-values';

/** How many times the record was republished before (0 for an original; malformed counts as 0). */
export function attemptOf(headers: KafkaHeaders | undefined): number {
  const value = Number(headerValues(headers, REPUBLISH_HEADERS.attempt).pop());
  return Number.isInteger(value) && value >= 0 ? value : 0;
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
