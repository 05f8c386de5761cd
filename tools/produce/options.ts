/**
 * The producer's options, validated: a pure function of the strings and flags the command line
 * gave (and the environment), so every rule is unit-tested without Kafka or a process.
 * Every error names the option it is about, the way the user typed it (`--count: …`).
 */
import { z } from 'zod';
// Relative, not '@tracehop/contracts': the CLI runs under tsx and Jest alike, with no path mapping to rely on.
import { loadManifest } from '../../infra/stack/src/manifest';
import { CURRENCIES, TOPICS, type Currency, type Topic } from '../../libs/contracts/src';

/** Short names for the topics, as the services' docs speak of them (`order-created`), mapped to the versioned topic. */
export const TOPIC_ALIASES: Record<string, Topic> = Object.fromEntries(Object.values(TOPICS).map((topic) => [topic.split('.')[1], topic]));

export type TraceMode = 'traceparent' | 'none' | 'malformed';

/** What commander hands over: strings as typed (or undefined) and booleans for flags. */
export interface RawProduceOptions {
  topic?: string;
  count?: string;
  rate?: string;
  duration?: string;
  brokers?: string;
  /** `--traceparent` → true, `--no-traceparent` → false, neither → undefined (the default: on). */
  traceparent?: boolean;
  malformedTraceparent?: boolean;
  poison?: boolean;
  userId?: string;
  orderId?: string;
  amountMinor?: string;
  currency?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface EventContent {
  userId?: string;
  orderId?: string;
  amountMinor: number;
  currency: Currency;
}

export interface ProduceOptions {
  topic: Topic;
  /** Messages to send; Infinity when only --duration bounds the run. */
  count: number;
  /** Messages per second; undefined: the next message goes as soon as the previous one is acknowledged. */
  ratePerSecond?: number;
  durationSeconds?: number;
  brokers: string[];
  traceMode: TraceMode;
  poison: boolean;
  content: EventContent;
  /** Summary as JSON on stdout (and nothing else there). */
  json: boolean;
  /** No line per message. */
  quiet: boolean;
  /** More than one message may go: progress line and summary matter. */
  loadMode: boolean;
}

const DEFAULT_BROKERS = `127.0.0.1:${loadManifest().ports.KAFKA_PORT}`;
const DEFAULT_AMOUNT_MINOR = 1000;
/** order-service's own bound for unitPriceMinor: an outside event should not carry what the HTTP API would refuse. */
const MAX_AMOUNT_MINOR = 100_000_000;

/** The flag a field came from, for error messages: commander's camelCase name back to kebab-case. */
const flagOf = (field: string) => `--${field.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

export class ProduceOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ProduceOptionsError';
  }
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .int()
        .min(min, { error: `must be at least ${min}` })
        .max(max, { error: `must be at most ${max}` }),
    );

const positiveNumber = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^(\d+(\.\d*)?|\.\d+)$/, { error: 'must be a positive number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .positive({ error: 'must be greater than 0' })
        .max(max, { error: `must be at most ${max}` }),
    );

/** `host:port[,host:port…]`, as KAFKA_BROKERS is for the services. */
const brokerList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(
        z.string().refine(
          (b) => {
            const match = /^[^\s:/]+:(\d{1,5})$/.exec(b);
            return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65535;
          },
          { error: 'each broker must be host:port (port 1-65535), comma-separated' },
        ),
      )
      .min(1, { error: 'at least one host:port' }),
  );

const schema = z.object({
  topic: z
    .string({ error: 'is required: an alias or a topic name (see --help)' })
    .trim()
    .transform((value, ctx) => {
      const topic = TOPIC_ALIASES[value] ?? (Object.values(TOPICS) as string[]).find((t) => t === value);
      if (!topic) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown topic; use one of ${Object.keys(TOPIC_ALIASES).join(', ')} or ${Object.values(TOPICS).join(', ')}`,
        });
        return z.NEVER;
      }
      return topic as Topic;
    }),
  count: wholeNumber(1, 100_000_000).optional(),
  rate: positiveNumber(1_000_000).optional(),
  // A week: long enough for any soak run, short enough that a typo (extra zeros) is caught.
  duration: positiveNumber(7 * 24 * 3600).optional(),
  brokers: brokerList,
  traceparent: z.boolean().optional(),
  malformedTraceparent: z.boolean().optional(),
  poison: z.boolean().optional(),
  userId: z.uuid({ error: 'must be a UUID' }).optional(),
  orderId: z.uuid({ error: 'must be a UUID' }).optional(),
  amountMinor: wholeNumber(0, MAX_AMOUNT_MINOR).optional(),
  currency: z
    .string()
    .trim()
    .transform((value) => value.toUpperCase())
    .pipe(z.enum(CURRENCIES, { error: `must be one of ${CURRENCIES.join(', ')}` }))
    .optional(),
  json: z.boolean().optional(),
  quiet: z.boolean().optional(),
});

/** Topics whose events carry no money and no order: the options that set them would silently do nothing. */
const MONEYLESS: Topic[] = [TOPICS.userRegistered];

function crossChecks(value: z.output<typeof schema>, raw: RawProduceOptions): string[] {
  const problems: string[] = [];
  if (value.malformedTraceparent && value.traceparent === false)
    problems.push('--malformed-traceparent: cannot be combined with --no-traceparent (pick one trace mode)');
  if (value.malformedTraceparent && value.traceparent === true)
    problems.push('--malformed-traceparent: cannot be combined with --traceparent (pick one trace mode)');
  if (MONEYLESS.includes(value.topic)) {
    if (raw.orderId !== undefined) problems.push(`--order-id: ${value.topic} events carry no order (only a user id)`);
    if (raw.amountMinor !== undefined) problems.push(`--amount-minor: ${value.topic} events carry no amount`);
    if (raw.currency !== undefined) problems.push(`--currency: ${value.topic} events carry no currency`);
  }
  if (value.poison) {
    // The poison value is not JSON at all, so there is no amount in it; ids still choose the record's key.
    if (raw.amountMinor !== undefined) problems.push('--amount-minor: has no effect with --poison (the value is not an event)');
    if (raw.currency !== undefined) problems.push('--currency: has no effect with --poison (the value is not an event)');
  }
  return problems;
}

/**
 * Validates and types the options. `env` supplies KAFKA_BROKERS when --brokers is not given (an
 * empty variable means unset, as for the services). Throws ProduceOptionsError listing every problem.
 */
export function parseProduceOptions(raw: RawProduceOptions, env: Record<string, string | undefined> = {}): ProduceOptions {
  const envBrokers = env.KAFKA_BROKERS?.trim() ? env.KAFKA_BROKERS : undefined;
  const brokersFrom = raw.brokers !== undefined ? 'brokers' : envBrokers !== undefined ? 'KAFKA_BROKERS' : 'default';
  const parsed = schema.safeParse({ ...raw, brokers: raw.brokers ?? envBrokers ?? DEFAULT_BROKERS });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const given = (raw as Record<string, unknown>)[field];
      const name =
        field === 'brokers' && brokersFrom === 'KAFKA_BROKERS' ? 'KAFKA_BROKERS (environment; --brokers overrides it)' : flagOf(field);
      const got = typeof given === 'string' ? ` (got "${given}")` : '';
      return `${name}: ${issue.message}${got}`;
    });
    throw new ProduceOptionsError([...new Set(problems)]);
  }
  const value = parsed.data;
  const problems = crossChecks(value, raw);
  if (problems.length) throw new ProduceOptionsError(problems);

  // --duration alone means "for that long": count no longer defaults to a single message.
  const count = value.count ?? (value.duration !== undefined ? Infinity : 1);
  return {
    topic: value.topic,
    count,
    ratePerSecond: value.rate,
    durationSeconds: value.duration,
    brokers: value.brokers,
    traceMode: value.malformedTraceparent ? 'malformed' : value.traceparent === false ? 'none' : 'traceparent',
    poison: value.poison ?? false,
    content: {
      userId: value.userId,
      orderId: value.orderId,
      amountMinor: value.amountMinor ?? DEFAULT_AMOUNT_MINOR,
      currency: value.currency ?? 'EUR',
    },
    json: value.json ?? false,
    quiet: (value.quiet ?? false) || (value.json ?? false),
    loadMode: count > 1 || value.duration !== undefined,
  };
}
