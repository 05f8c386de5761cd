import { REDACTED_CARD, REDACTED_EMAIL, redactText } from '../src/internal/redaction/redact-text';

describe('redactText: card numbers (card-shaped and Luhn-valid)', () => {
  it.each([
    ['Visa, spaces', '4111 1111 1111 1111'],
    ['Visa, dashes', '4111-1111-1111-1111'],
    ['Visa, one run', '4111111111111111'],
    ['Visa, 13 digits', '4222222222222'],
    ['Mastercard', '5555 5555 5555 4444'],
    ['Mastercard 2-series', '2223 0031 2200 3222'],
    ['American Express, 4-6-5', '3782 822463 10005'],
    ['Diners, 14 digits', '3056 9309 0259 04'],
    ['Discover', '6011 1111 1111 1117'],
    ['UnionPay, 19 digits', '6212345678901234569'],
  ])('redacts %s', (_, card) => {
    expect(redactText(`paid with ${card}, thanks`)).toBe(`paid with ${REDACTED_CARD}, thanks`);
  });

  it.each([
    ['a number after it', '4111 1111 1111 1111 12', `${REDACTED_CARD} 12`],
    ['a date before it', '2026-12-02 4111-1111-1111-1111', `2026-12-02 ${REDACTED_CARD}`],
    ['two of them', '4111111111111111/5555555555554444', `${REDACTED_CARD}/${REDACTED_CARD}`],
    ['JSON around it', '{"card":"4111111111111111"}', `{"card":"${REDACTED_CARD}"}`],
    ['a word glued to the run', 'a1 4111 1111 1111 1111', `a1 ${REDACTED_CARD}`],
  ])('finds the card inside a longer digit run: %s', (_, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['a millisecond timestamp (Luhn-valid, starts with 1)', '1733119790124'],
    ['a nanosecond timestamp (Luhn-valid, starts with 1)', '1733119790123456781'],
    ['a 16-digit number that fails Luhn', '4111 1111 1111 1112'],
    ['a 16-digit run that fails Luhn', '4000000000000000'],
    ['an order id (UUID)', '123e4567-e89b-12d3-a456-426614174000'],
    // Its first three groups spell 4111111111111111 (Luhn-valid); the agent once redacted such ids.
    ['a UUID whose first groups are all digits', '41111111-1111-1111-8123-abcdef012345'],
    ['a trace id', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['an ISO timestamp', '2026-12-02T05:49:50.123Z'],
    ['a phone number', '+1 555 123 4567'],
    ['an amount', '1234.56'],
    ['a card glued to a word', 'id_4111111111111111'],
    ['a Luhn-valid 13-digit number starting with 2 (a millisecond timestamp after 2033)', '2000000000008'],
    ['20 digits, Luhn-valid as a whole', '41111111111111111115'],
  ])('keeps %s', (_, text) => {
    expect(redactText(`value ${text} end`)).toBe(`value ${text} end`);
  });
});

describe('redactText: e-mail addresses', () => {
  it.each([
    ['plain', 'jane.doe@example.com', REDACTED_EMAIL],
    ['tag and mixed case', 'Jane.Doe+orders@Mail.Example.CO.UK', REDACTED_EMAIL],
    ['display name', '"Jane Doe" <jane@example.com>', `"Jane Doe" <${REDACTED_EMAIL}>`],
    ['mailto', 'mailto:jane@example.com', `mailto:${REDACTED_EMAIL}`],
    ['JSON', '{"email":"jane@example.com"}', `{"email":"${REDACTED_EMAIL}"}`],
    ['URL-encoded in a query', '/users?email=jane%40example.com&x=1', `/users?email=${REDACTED_EMAIL}&x=1`],
    ['end of a sentence', 'write to first_last-1@sub-domain.example.org.', `write to ${REDACTED_EMAIL}.`],
    ['two of them', 'a@example.com, b@example.org', `${REDACTED_EMAIL}, ${REDACTED_EMAIL}`],
    ['digits in the local part', '4111111111111111@example.com', REDACTED_EMAIL],
  ])('redacts %s', (_, text, expected) => {
    expect(redactText(text)).toBe(expected);
  });

  it.each([
    ['no domain suffix', 'user@localhost'],
    ['a handle', '@jane'],
    ['a version', 'v1.2@3'],
  ])('keeps %s', (_, text) => {
    expect(redactText(text)).toBe(text);
  });

  it('stays linear on long texts without a match', () => {
    const long = 'a'.repeat(200_000) + '@ ' + '1 '.repeat(100_000);
    const started = performance.now();
    expect(redactText(long)).toBe(long);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
