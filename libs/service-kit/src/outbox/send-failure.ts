/**
 * Why a send to Kafka failed, as far as the outbox is concerned:
 * - `unavailable`: the broker could not be reached or was not ready (connection, timeout, leader
 *   election, kafkajs' retries exhausted on such errors). Nothing is wrong with the rows; no attempt is counted.
 * - `producer-out-of-step`: the idempotent producer's sequence numbers no longer match the broker's.
 *   kafkajs 2.2.4 rewinds the sequence of every partition of a failed request, including those the
 *   broker accepted, so after a partly refused request each later send to those partitions fails
 *   OUT_OF_ORDER_SEQUENCE_NUMBER until the producer is replaced. Not the rows' fault: no attempt is counted.
 * - `refused`: the broker or the client refused what was sent. Alone in its send, the row is to blame:
 *   at once when the refusal is `permanent` (the same record is refused every time), else after
 *   OUTBOX_MAX_ATTEMPTS refusals.
 */
export type SendFailure =
  | { kind: 'unavailable'; reason: string }
  | { kind: 'producer-out-of-step'; reason: string }
  | { kind: 'refused'; permanent: boolean; reason: string };

/**
 * Protocol errors about the records or their topic, whatever else is in the request (kafkajs 2.2.4
 * src/protocol/error.js marks them non-retriable): the broker refuses the same record every time.
 * RECORD_LIST_TOO_LARGE and MESSAGE_TOO_LARGE also answer a batch that is too large as a whole,
 * which is why only a row sent alone is failed for them.
 */
const PERMANENT_REFUSALS = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
  'INVALID_TIMESTAMP',
  'INVALID_TOPIC_EXCEPTION',
  'TOPIC_AUTHORIZATION_FAILED',
]);

/**
 * Retriable for kafkajs, but as likely to be the record's fault as the broker's: a topic that does
 * not exist (with auto-creation off) or a record failing its checksum. Counted as refusals, so such
 * a row ends failed after OUTBOX_MAX_ATTEMPTS instead of blocking its key for ever.
 */
const SUSPECT_RETRIABLE = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'CORRUPT_MESSAGE']);

/** The producer's idempotence state is wrong, not the records (see `producer-out-of-step`). */
const PRODUCER_STATE = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_ID_MAPPING',
]);

interface KafkaJSErrorShape extends Error {
  retriable?: boolean;
  /** The protocol error's name (KafkaJSProtocolError), e.g. MESSAGE_TOO_LARGE. */
  type?: string;
}

/** kafkajs wraps the error that decided (retries exhausted, non-retriable): the innermost cause is it. */
function rootCause(error: unknown): KafkaJSErrorShape {
  let current: unknown = error;
  for (let depth = 0; depth < 10 && current instanceof Error && current.cause instanceof Error; depth += 1) current = current.cause;
  return current instanceof Error ? current : new Error(String(current));
}

export function classifySendFailure(error: unknown): SendFailure {
  const root = rootCause(error);
  const reason = `${root.type ?? root.name}: ${root.message}`;
  if (root.name === 'KafkaJSProtocolError' && root.type !== undefined) {
    if (PERMANENT_REFUSALS.has(root.type)) return { kind: 'refused', permanent: true, reason };
    if (PRODUCER_STATE.has(root.type)) return { kind: 'producer-out-of-step', reason };
    if (SUSPECT_RETRIABLE.has(root.type) || root.retriable === false) return { kind: 'refused', permanent: false, reason };
    return { kind: 'unavailable', reason };
  }
  // kafkajs' connection, request-timeout, broker-not-found and disconnected-producer errors are retriable ones.
  if (root.name.startsWith('KafkaJS') && root.retriable !== false) return { kind: 'unavailable', reason };
  // Client-side refusals (kafkajs' non-retriable validation) and anything else: count it against the row.
  return { kind: 'refused', permanent: false, reason };
}
