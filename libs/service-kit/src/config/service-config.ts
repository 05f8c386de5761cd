import { z } from 'zod';
import { CONSUMER_RETRY_DEFAULTS } from '../consumer/retry-settings';
import { parseEnv } from './parse-env';

/** Injection token of the service's parsed configuration (ServiceConfig, or an app's extension of it). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

const integer = (min: number, max: number, what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(min, { error: `expected ${what}` })
    .max(max, { error: `expected ${what}` });

export const env = {
  port: () => integer(1, 65535, 'a port number (1-65535)'),
  millis: (max = 600_000) => integer(0, max, `milliseconds (0-${max})`),
  count: (min: number, max: number) => integer(min, max, `an integer (${min}-${max})`),
  rate: () =>
    z.coerce
      .number({ error: 'expected a rate between 0 and 1' })
      .min(0, { error: 'expected a rate between 0 and 1' })
      .max(1, { error: 'expected a rate between 0 and 1' }),
  url: (protocols: RegExp, what: string) => z.url({ protocol: protocols, error: `expected ${what}` }),
  onOff: () => z.enum(['on', 'off'], { error: 'expected on or off' }),
};

const brokerList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, { error: 'expected host:port[,host:port...]' }))
      .min(1, { error: 'expected at least one host:port' }),
  );

/** What every service needs: where it listens, Kafka, its database, and outbox/consumer tuning. */
export function serviceEnvSchema(defaults: { port: number; database: string }) {
  return z.object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: env.port().default(defaults.port),
    KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
    DATABASE_URL: env.url(/^postgres(ql)?$/, 'a postgres:// URL').default(`postgres://postgres@127.0.0.1:5432/${defaults.database}`),
    /** How often the outbox relay looks for unpublished rows. */
    OUTBOX_POLL_MS: env.millis(60_000).default(200),
    /** Outbox rows per relay tick, sent in one request to the broker (docs/performance.md has the figures). */
    OUTBOX_BATCH_SIZE: env.count(1, 5000).default(200),
    /**
     * How long a relay's claim on the rows it is sending lasts: another relay (instance) takes them
     * over once it has passed, e.g. after a crash mid-send. Longer than a send can take (kafkajs
     * retries included), else a slow send is duplicated.
     */
    OUTBOX_CLAIM_LEASE_MS: env.count(1_000, 3_600_000).default(60_000),
    /** Sends of one row the broker may refuse (for a reason not known to be permanent) before the row is failed. */
    OUTBOX_MAX_ATTEMPTS: env.count(1, 1000).default(10),
    /** Deletion of old published outbox rows, processed events and the app's own tables (e.g. idempotency keys). */
    RETENTION_JOBS: env.onOff().default('on'),
    /** Time between retention runs (each run waits this ±20 %, so instances do not run together). */
    RETENTION_INTERVAL_MS: env.count(1_000, 86_400_000).default(600_000),
    /** Rows per DELETE statement: short statements, short locks. */
    RETENTION_BATCH_SIZE: env.count(1, 100_000).default(1_000),
    /** Published outbox rows are kept this long (for looking up what was sent when). */
    OUTBOX_RETENTION_HOURS: env.count(1, 87_600).default(24),
    /**
     * Processed-event claims (consumer deduplication) are kept this long. Must exceed the longest a
     * record can stay in the topics the groups consume (retention.ms + segment.ms; 7 d + 7 d by
     * default), or a replayed record older than its claim is applied twice.
     */
    PROCESSED_EVENT_RETENTION_HOURS: env.count(1, 87_600).default(720),
    /** Backoff of in-place retries after a transient failure: doubles from the minimum up to the maximum. */
    CONSUMER_RETRY_MIN_MS: env.count(1, 60_000).default(200),
    CONSUMER_RETRY_MAX_MS: env.count(1, 600_000).default(5_000),
    /** In-place attempts, and time, for a transient failure before the record moves to the group's retry topic. */
    CONSUMER_TRANSIENT_ATTEMPTS: env.count(1, 1000).default(CONSUMER_RETRY_DEFAULTS.transientAttempts),
    CONSUMER_TRANSIENT_MAX_MS: env.count(1_000, 3_600_000).default(CONSUMER_RETRY_DEFAULTS.transientWithinMs),
    /** Deterministic failures of a record (the first included) before it goes to the dead-letter topic. */
    CONSUMER_MAX_ATTEMPTS: env.count(1, 100).default(CONSUMER_RETRY_DEFAULTS.maxAttempts),
    /** How long after being sent to the retry topic a record is tried again. */
    CONSUMER_RETRY_DELAY_MS: env.millis().default(CONSUMER_RETRY_DEFAULTS.retryDelayMs),
    /**
     * Partitions a group works on at once (kafkajs partitionsConsumedConcurrently). More than one, so
     * a record retrying in place holds up only its own partition, not the group's other topics.
     */
    CONSUMER_CONCURRENCY: env.count(1, 64).default(6),
    /**
     * Most records a batch consumer applies in one database transaction (groups that opt in): one
     * commit and one idempotency claim per chunk instead of per record (docs/performance.md).
     */
    CONSUMER_TRANSACTION_RECORDS: env.count(1, 1000).default(100),
    /** Failure injection: every record waits this long before its handler runs (a slow consumer). */
    CONSUMER_DELAY_MS: env.millis().default(0),
    /** Failure injection switches may be changed at runtime through /admin/faults (loopback only). */
    ADMIN_ENDPOINTS: env.onOff().default('on'),
  });
}

export type ServiceConfig = z.output<ReturnType<typeof serviceEnvSchema>> & { serviceName: string };

/** Parses a service's environment: the shared variables plus the app's own (`extra`). */
export function loadServiceConfig<Extra extends z.ZodRawShape>(
  serviceName: string,
  defaults: { port: number; database: string },
  extra: Extra,
  source: NodeJS.ProcessEnv = process.env,
): ServiceConfig & z.output<z.ZodObject<Extra>> {
  const schema = serviceEnvSchema(defaults).extend(extra);
  return { ...(parseEnv(schema, source) as object), serviceName } as ServiceConfig & z.output<z.ZodObject<Extra>>;
}
