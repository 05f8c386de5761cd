import { messageKeyAttribute } from '../src/internal/kafka/message-key';

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
});
