import { createHash } from 'node:crypto';

import type { MessageKeyMode } from '../../types';

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
