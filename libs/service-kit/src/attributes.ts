/** service-kit's own span attribute names (docs/telemetry.md); standard ones come from @opentelemetry/semantic-conventions. */

/** Set on a process span whose record went to a dead-letter topic. */
export const ATTR_TRACEHOP_DEAD_LETTER_TOPIC = 'tracehop.dead_letter.topic' as const;

/** Event on a poll span: a chunk of its records was rolled back and is applied again record by record. */
export const EVENT_TRACEHOP_CHUNK_ROLLED_BACK = 'tracehop.chunk.rolled_back' as const;

/** On a `tracehop.chunk.rolled_back` event of a poll span: the last offset of the chunk (the first is messaging.kafka.offset). */
export const ATTR_TRACEHOP_CHUNK_LAST_OFFSET = 'tracehop.chunk.last_offset' as const;
