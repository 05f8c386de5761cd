/**
 * tracehop's own span and link attribute names (the standard ones are semantic-convention copies in
 * internal/semconv.ts). Every name is listed in docs/telemetry.md.
 */

/** How the process span relates to the producer: child, link or child+link (docs/telemetry.md). */
export const ATTR_TRACEHOP_KAFKA_HOP_MODE = 'tracehop.kafka.hop_mode' as const;
/** Set when the record's traceparent was unusable: the span starts a new trace instead. */
export const ATTR_TRACEHOP_PROPAGATION_BROKEN = 'tracehop.propagation.broken' as const;
/** How many traceparent headers the record carried when more than one. */
export const ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT = 'tracehop.propagation.traceparent_count' as const;

/**
 * On a poll span: how many producer contexts of the batch were not linked, because a span holds at
 * most OTEL_SPAN_LINK_COUNT_LIMIT links (128 by default). The SDK would drop them itself, but the
 * oldest first and only as a number an exporter may not show; capping first keeps the batch's first
 * records linked and says on the span, where a reader looks, that the links are a sample.
 */
export const ATTR_TRACEHOP_LINKS_OMITTED_COUNT = 'tracehop.links.omitted_count' as const;

/** The Nest pattern (@EventPattern / @MessagePattern) and Class.method a microservice handler was routed to. */
export const ATTR_TRACEHOP_NEST_PATTERN = 'tracehop.nest.pattern' as const;
export const ATTR_TRACEHOP_NEST_HANDLER = 'tracehop.nest.handler' as const;

/** On a link: why it exists (`republished_from`: the record is a retry or dead letter of the linked one). */
export const ATTR_TRACEHOP_LINK_REASON = 'tracehop.link.reason' as const;
