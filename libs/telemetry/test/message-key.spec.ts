import { createHash } from 'node:crypto';
import type * as Api from '@opentelemetry/api';
import { messageKeyAttribute } from '../src/internal/kafka/message-key';
import type * as MessageKey from '../src/internal/kafka/message-key';

describe('message keys on spans', () => {
  it('hash mode never exposes the key', () => {
    const hashed = messageKeyAttribute('jane.doe@example.com', 'hash', 'salt');
    expect(hashed).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(hashed).not.toContain('jane');
  });

  it('gives the same hash for the same key and salt (correlatable), another for another salt', () => {
    expect(messageKeyAttribute(Buffer.from('user-42'), 'hash', 's1')).toBe(messageKeyAttribute('user-42', 'hash', 's1'));
    expect(messageKeyAttribute('user-42', 'hash', 's1')).not.toBe(messageKeyAttribute('user-42', 'hash', 's2'));
  });

  it('drops the key, or keeps it raw when asked', () => {
    expect(messageKeyAttribute('user-42', 'drop')).toBeUndefined();
    expect(messageKeyAttribute(Buffer.from('user-42'), 'raw')).toBe('user-42');
  });

  it('records nothing for records without a key', () => {
    expect(messageKeyAttribute(null, 'hash')).toBeUndefined();
    expect(messageKeyAttribute(undefined, 'raw')).toBeUndefined();
  });

  describe('without a salt', () => {
    const unsalted = (key: string) => `sha256:${createHash('sha256').update('\0').update(key).digest('hex').slice(0, 32)}`;

    it('never gives the unsalted hash (reversible by hashing every candidate key)', () => {
      expect(messageKeyAttribute('user-42', 'hash')).not.toBe(unsalted('user-42'));
      expect(messageKeyAttribute('user-42', 'hash', '')).not.toBe(unsalted('user-42'));
    });

    it('uses one random salt for the whole process: keys still correlate within it', () => {
      expect(messageKeyAttribute('user-42', 'hash')).toBe(messageKeyAttribute(Buffer.from('user-42'), 'hash', ''));
      expect(messageKeyAttribute('user-42', 'hash')).toMatch(/^sha256:[0-9a-f]{32}$/);
    });

    it('says once that hashes will not match across processes until TRACEHOP_KAFKA_KEY_SALT is set', () => {
      jest.isolateModules(() => {
        // A fresh copy of the module (its warning not yet said), and of the API it warns through.
        const fresh = jest.requireActual<typeof MessageKey>('../src/internal/kafka/message-key');
        const warn = jest.spyOn(jest.requireActual<typeof Api>('@opentelemetry/api').diag, 'warn').mockImplementation(() => undefined);
        fresh.messageKeyAttribute('a', 'hash');
        fresh.messageKeyAttribute('b', 'hash');
        fresh.messageKeyAttribute('c', 'hash', 'set');
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0][0]).toContain('TRACEHOP_KAFKA_KEY_SALT');
        warn.mockRestore();
      });
    });
  });
});
