import { createHash } from 'node:crypto';

/**
 * How a Kafka message key appears on spans. Keys are often user or card identifiers: `hash` (the
 * default) keeps them correlatable without exposing them, `drop` leaves them out, `raw` is for keys
 * known to be harmless.
 */
export type MessageKeyMode = 'hash' | 'drop' | 'raw';

/**
 * The value for messaging.kafka.message.key under the given mode, or undefined to leave it out.
 * Hashes are salted (a per-deployment secret stops dictionary look-ups of small key spaces) and
 * prefixed so a reader never mistakes them for the key itself.
 */
export function messageKeyAttribute(key: Buffer | string | null | undefined, mode: MessageKeyMode, salt = ''): string | undefined {
  if (key === null || key === undefined || mode === 'drop') return undefined;
  const text = typeof key === 'string' ? key : key.toString('utf8');
  if (mode === 'raw') return text;
  return `sha256:${createHash('sha256').update(salt).update('\0').update(text).digest('hex').slice(0, 32)}`;
}
