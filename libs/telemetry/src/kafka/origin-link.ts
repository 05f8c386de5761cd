import { propagation, ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';
import { REPUBLISH_HEADERS } from './republish';
import { headerValues, inspectTraceparent, kafkaHeaderGetter, type KafkaHeaders } from './trace-headers';

/** A link to the creation context of a republished record's first version, if it carries one. */
export function originLinks(headers: KafkaHeaders | undefined): Link[] {
  const origin = inspectTraceparent({ traceparent: headerValues(headers, REPUBLISH_HEADERS.originTraceparent) });
  if (!origin.traceparent) return [];
  const context = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: origin.traceparent }, kafkaHeaderGetter));
  return context && trace.isSpanContextValid(context) ? [{ context, attributes: { 'tracehop.link.reason': 'republished_from' } }] : [];
}
