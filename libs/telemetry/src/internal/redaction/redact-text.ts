import { redactCardNumbers } from './card-numbers';

/** What replaces each kind of PII; the agent (infra/collector/agent.yaml) uses the same markers. */
export const REDACTED_EMAIL = '[REDACTED_EMAIL]';
export const REDACTED_CARD = '[REDACTED_CARD]';

/**
 * An e-mail address, also URL-encoded (`%40`, as in a query string). The lookbehind starts a match
 * only where a run of local-part characters starts, which keeps the scan linear on long tokens.
 * The agent's pattern is the same (RE2 has no lookbehind; it does not need one).
 */
const EMAIL = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const MAY_HOLD_EMAIL = /@|%40/;

/** The text with e-mail addresses and card numbers replaced by their markers. */
export function redactText(text: string): string {
  const redacted = MAY_HOLD_EMAIL.test(text) ? text.replace(EMAIL, REDACTED_EMAIL) : text;
  return redactCardNumbers(redacted, REDACTED_CARD);
}
