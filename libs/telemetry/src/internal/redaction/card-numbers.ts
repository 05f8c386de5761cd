import { passesLuhn } from './luhn';

/**
 * Card-shaped: 13–19 digits starting with 3, 4, 5 or 6 (American Express, Diners, JCB, Visa,
 * Mastercard, Maestro, Discover, UnionPay), or 16 digits starting with 2 (Mastercard's 2-series).
 * This keeps epoch timestamps out (milliseconds and nanoseconds start with 1 until 2033; then 2, at
 * 13 and 19 digits). The agent applies the same shape without the Luhn check (OTTL has no per-match
 * condition), so both sides agree on what a card is, and the services' check is the stricter one.
 */
export function isCardShaped(digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  const first = digits[0];
  return first === '2' ? digits.length === 16 : first >= '3' && first <= '6';
}

export const isCardNumber = (digits: string): boolean => isCardShaped(digits) && passesLuhn(digits);

/** Digits with at most one space or dash between them; matched whole, so the scan is linear. */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;
const WORD_CHARACTER = /\w/;

interface Group {
  start: number;
  end: number;
  digits: string;
}

/**
 * The [start, end) spans of a digit run (offsets in the run) that are card numbers: the longest one
 * starting at each group of digits, groups being what spaces or dashes separate (a card split in
 * groups starts with a group of four). So a card number
 * next to a date or a count in the same run is found, and digits without separators (an id, a
 * timestamp) are never cut into one. A group glued to a letter or underscore (`id_4111…`) is part
 * of a word and starts or ends no card number.
 */
function cardSpans(run: string, gluedBefore: boolean, gluedAfter: boolean): [number, number][] {
  const groups: Group[] = [...run.matchAll(/\d+/g)].map((m) => ({ start: m.index, end: m.index + m[0].length, digits: m[0] }));
  const spans: [number, number][] = [];
  for (let first = gluedBefore ? 1 : 0; first < groups.length; first++) {
    let digits = '';
    let found: number | undefined;
    for (let last = first; last < groups.length && digits.length + groups[last].digits.length <= 19; last++) {
      digits += groups[last].digits;
      // Written in groups, a card starts with four digits (4-4-4-4, 4-6-5): a UUID's 8-digit first
      // group (53412345-1234-4123-…) is no card.
      const written = last === first || groups[first].digits.length === 4;
      if (written && isCardNumber(digits) && !(gluedAfter && last === groups.length - 1)) found = last;
    }
    if (found === undefined) continue;
    spans.push([groups[first].start, groups[found].end]);
    first = found;
  }
  return spans;
}

const gluedToWord = (character: string | undefined) => character !== undefined && WORD_CHARACTER.test(character);

/** Replaces every card number (card-shaped, Luhn-valid, not part of a word) in the text. */
export function redactCardNumbers(text: string, marker: string): string {
  return text.replace(DIGIT_RUN, (run: string, offset: number) => {
    const spans = cardSpans(run, gluedToWord(text[offset - 1]), gluedToWord(text[offset + run.length]));
    let redacted = run;
    for (const [start, end] of spans.reverse()) redacted = redacted.slice(0, start) + marker + redacted.slice(end);
    return redacted;
  });
}
