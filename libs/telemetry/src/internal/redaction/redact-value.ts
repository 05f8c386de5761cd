import { isCardNumber } from './card-numbers';
import { REDACTED_CARD, redactText } from './redact-text';

/** What a reference back to an enclosing object becomes, as Winston's JSON and the OpenTelemetry transport write it. */
const CIRCULAR = '[Circular]';

type Key = string | symbol;

/**
 * The value with every e-mail address and card number redacted at any depth: strings, object keys,
 * array items, errors (message and stack included, though not enumerable) and numbers that are card
 * numbers. Copy on write: the caller's objects never change, and what holds nothing to redact comes
 * back as is. Copies keep their prototype (an error stays an error, toJSON still applies). Binary
 * data (Buffer, typed arrays) is not read.
 */
export function redactValue<T>(value: T): T {
  return redact(value, new Set()) as T;
}

function redact(value: unknown, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case 'string':
      return redactText(value);
    case 'number':
      return Number.isSafeInteger(value) && value > 0 && isCardNumber(String(value)) ? REDACTED_CARD : value;
    case 'bigint':
      return value > 0n && isCardNumber(value.toString()) ? REDACTED_CARD : value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (ancestors.has(value)) return CIRCULAR;
  ancestors.add(value);
  try {
    return Array.isArray(value) ? redactItems(value, ancestors) : redactProperties(value, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function redactItems(items: unknown[], ancestors: Set<object>): unknown[] {
  const redacted = items.map((item) => redact(item, ancestors));
  return redacted.some((item, index) => item !== items[index]) ? redacted : items;
}

/** The properties a reader of the object sees: enumerable own ones, and an error's message and stack. */
function readableKeys(object: object): Key[] {
  if (object instanceof Error) return Reflect.ownKeys(object);
  return Reflect.ownKeys(object).filter((key) => Object.prototype.propertyIsEnumerable.call(object, key));
}

function redactProperties(object: object, ancestors: Set<object>): object {
  const source = object as Record<Key, unknown>;
  const entries = readableKeys(object).map((key) => ({
    key,
    redactedKey: typeof key === 'string' ? redactText(key) : key,
    value: source[key],
    redactedValue: redact(source[key], ancestors),
  }));
  if (entries.every((entry) => entry.redactedKey === entry.key && entry.redactedValue === entry.value)) return object;
  const copy = Object.create(Object.getPrototypeOf(object) as object | null) as object;
  for (const { key, redactedKey, redactedValue } of entries) {
    Object.defineProperty(copy, redactedKey, {
      value: redactedValue,
      enumerable: Object.prototype.propertyIsEnumerable.call(object, key),
      writable: true,
      configurable: true,
    });
  }
  return copy;
}
