/** Kafka header names tracehop reads and writes besides W3C trace context; listed in docs/telemetry.md. */

/** A producer may set it to give the message an id (messaging.message.id). */
export const MESSAGE_ID_HEADER = 'message-id' as const;

/** Stamped on every instrumented send (epoch milliseconds), for the produce→process latency. */
export const PRODUCED_AT_HEADER = 'tracehop-produced-at' as const;

/** What a republished (retry or dead-letter) record carries about its origin and failure. */
export const REPUBLISH_HEADERS = {
  attempt: 'tracehop-attempt',
  originalTopic: 'tracehop-original-topic',
  originalPartition: 'tracehop-original-partition',
  originalOffset: 'tracehop-original-offset',
  originTraceparent: 'tracehop-origin-traceparent',
  error: 'tracehop-error',
} as const;
