import { createHash, randomBytes } from 'node:crypto';
import { diag } from '@opentelemetry/api';

import type { MessageKeyMode } from '../../types';

let processSalt: string | undefined;

/**
 * Without a configured salt, hashes would be plain SHA-256 of the key, which anyone can reverse for
 * the small key spaces keys come from (user ids, order ids) by hashing every candidate. A random
 * salt made once per process keeps them irreversible; the cost is that the same key hashes
 * differently in another process (or after a restart), so send and process spans of one message no
 * longer share the value. Said once, so that deployments set TRACEHOP_KAFKA_KEY_SALT.
 */
function saltOrProcessSalt(salt: string): string {
  if (salt) return salt;
  if (processSalt === undefined) {
    processSalt = randomBytes(32).toString('base64url');
    diag.warn(
      'tracehop telemetry: TRACEHOP_KAFKA_KEY_SALT is not set; Kafka message keys are hashed with a random salt of this process, ' +
        'so the same key hashes differently in other processes. Set the same secret salt on every service of a deployment.',
    );
  }
  return processSalt;
}

/**
 * The value for messaging.kafka.message.key under the given mode, or undefined to leave it out.
 * Hashes are salted (a per-deployment secret stops dictionary look-ups of small key spaces; a
 * per-process random one when none is given) and prefixed so a reader never mistakes them for the key itself.
 */
export function messageKeyAttribute(key: Buffer | string | null | undefined, mode: MessageKeyMode, salt = ''): string | undefined {
  if (key === null || key === undefined || mode === 'drop') return undefined;
  const text = typeof key === 'string' ? key : key.toString('utf8');
  if (mode === 'raw') return text;
  return `sha256:${createHash('sha256').update(saltOrProcessSalt(salt)).update('\0').update(text).digest('hex').slice(0, 32)}`;
}
