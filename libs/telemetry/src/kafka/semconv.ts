/**
 * Messaging semantic-convention names (Development status upstream, so copied here as constants
 * rather than imported from the incubating entry point), plus tracehop's own attributes. Every name
 * is listed in docs/telemetry.md.
 */
export const ATTR_MESSAGING_SYSTEM = 'messaging.system' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;
export const ATTR_MESSAGING_CLIENT_ID = 'messaging.client.id' as const;
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id' as const;
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count' as const;
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset' as const;
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key' as const;
export const ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE = 'messaging.kafka.message.tombstone' as const;
export const MESSAGING_SYSTEM_VALUE_KAFKA = 'kafka' as const;

/** How the process span relates to the producer: child, link or child+link (docs/telemetry.md). */
export const ATTR_TRACEHOP_KAFKA_HOP_MODE = 'tracehop.kafka.hop_mode' as const;
/** Set when the record's traceparent was unusable: the span starts a new trace instead. */
export const ATTR_TRACEHOP_PROPAGATION_BROKEN = 'tracehop.propagation.broken' as const;
/** How many traceparent headers the record carried when more than one. */
export const ATTR_TRACEHOP_PROPAGATION_TRACEPARENT_COUNT = 'tracehop.propagation.traceparent_count' as const;

/** The Nest pattern (@EventPattern / @MessagePattern) and Class.method a microservice handler was routed to. */
export const ATTR_TRACEHOP_NEST_PATTERN = 'tracehop.nest.pattern' as const;
export const ATTR_TRACEHOP_NEST_HANDLER = 'tracehop.nest.handler' as const;

/** Header a producer may set to give the message an id (messaging.message.id). */
export const MESSAGE_ID_HEADER = 'message-id' as const;
