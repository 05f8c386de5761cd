import { REDACTED_CARD, REDACTED_EMAIL } from '../src/internal/redaction/redact-text';
import { redactValue } from '../src/internal/redaction/redact-value';

const email = 'jane.doe@example.com';
const card = '4111 1111 1111 1111';

describe('redactValue: PII at any depth, the caller’s objects untouched', () => {
  it('redacts strings in nested maps and arrays, and keys', () => {
    const meta = { user: { contact: { email }, cards: [card, { number: card }] }, [email]: 1, count: 3 };
    const snapshot = structuredClone(meta);
    expect(redactValue(meta)).toEqual({
      user: { contact: { email: REDACTED_EMAIL }, cards: [REDACTED_CARD, { number: REDACTED_CARD }] },
      [REDACTED_EMAIL]: 1,
      count: 3,
    });
    expect(meta).toEqual(snapshot);
  });

  it('returns the same objects when there is nothing to redact', () => {
    const clean = { order: { id: '123e4567-e89b-12d3-a456-426614174000', at: 1733119790124 }, tags: ['a'] };
    const redacted = redactValue({ clean, email });
    expect(redacted.clean).toBe(clean);
  });

  it('redacts an error’s message and stack, keeping its class, and its cause', () => {
    class PaymentDeclined extends Error {}
    const error = new PaymentDeclined(`card ${card} declined for ${email}`, { cause: new Error(`owner ${email}`) });
    const redacted = redactValue({ error }).error;
    expect(redacted).toBeInstanceOf(PaymentDeclined);
    expect(redacted.message).toBe(`card ${REDACTED_CARD} declined for ${REDACTED_EMAIL}`);
    expect(redacted.stack).not.toContain(email);
    expect(redacted.stack).toContain(REDACTED_EMAIL);
    expect((redacted.cause as Error).message).toBe(`owner ${REDACTED_EMAIL}`);
    expect(Object.keys(redacted)).toEqual(Object.keys(error));
    expect(error.message).toContain(email);
  });

  it('keeps a class instance’s prototype', () => {
    class Contact {
      constructor(readonly email: string) {}
      toJSON() {
        return { email: this.email };
      }
    }
    const redacted = redactValue([new Contact(email)])[0];
    expect(redacted).toBeInstanceOf(Contact);
    expect(JSON.stringify(redacted)).toBe(`{"email":"${REDACTED_EMAIL}"}`);
  });

  it('replaces a cycle by "[Circular]" instead of pointing back at the unredacted original', () => {
    const node: Record<string, unknown> = { email };
    node.self = node;
    const redacted = redactValue(node);
    expect(redacted).toEqual({ email: REDACTED_EMAIL, self: '[Circular]' });
  });

  it('redacts a card number held as a number; leaves other numbers, binary data and dates alone', () => {
    const at = new Date(0);
    const bytes = Buffer.from('some bytes');
    const redacted = redactValue({ at, bytes, card: 4111111111111111, timestamp: 1733119790124, big: 4111111111111111n });
    expect(redacted.at).toBe(at);
    expect(redacted.bytes).toBe(bytes);
    expect(redacted.card).toBe(REDACTED_CARD);
    expect(redacted.big).toBe(REDACTED_CARD);
    expect(redacted.timestamp).toBe(1733119790124);
  });
});
