/** service-kit's own span attribute names (docs/telemetry.md); standard ones come from @opentelemetry/semantic-conventions. */

/** Set on a process span whose record went to a dead-letter topic. */
export const ATTR_TRACEHOP_DEAD_LETTER_TOPIC = 'tracehop.dead_letter.topic' as const;
