import { z } from 'zod';
import { loadOrderServiceConfig } from '../../../apps/order-service/src/config';
import { loadPaymentServiceConfig } from '../../../apps/payment-service/src/config';
import { loadUserServiceConfig } from '../../../apps/user-service/src/config';
import { ConfigError, parseEnv } from '../src/config/parse-env';
import { env, loadServiceConfig } from '../src/config/service-config';

const DEFAULTS = { port: 3999, database: 'unitdb' };

/** loadServiceConfig with the shared variables only, from exactly the given environment. */
const load = (source: NodeJS.ProcessEnv) => loadServiceConfig('unit-service', DEFAULTS, {}, source);

/** The ConfigError a load throws (fails the test when it does not throw one). */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadServiceConfig', () => {
  it('defaults every shared variable from an empty environment', () => {
    expect(load({})).toEqual({
      serviceName: 'unit-service',
      HOST: '127.0.0.1',
      PORT: 3999,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unitdb',
      OUTBOX_POLL_MS: 200,
      OUTBOX_BATCH_SIZE: 200,
      OUTBOX_CLAIM_LEASE_MS: 60_000,
      OUTBOX_MAX_ATTEMPTS: 10,
      RETENTION_JOBS: 'on',
      RETENTION_INTERVAL_MS: 600_000,
      RETENTION_BATCH_SIZE: 1000,
      OUTBOX_RETENTION_HOURS: 24,
      PROCESSED_EVENT_RETENTION_HOURS: 720,
      CONSUMER_RETRY_MAX_MS: 5000,
      CONSUMER_RETRY_MIN_MS: 200,
      CONSUMER_TRANSIENT_ATTEMPTS: 20,
      CONSUMER_TRANSIENT_MAX_MS: 60_000,
      CONSUMER_MAX_ATTEMPTS: 3,
      CONSUMER_RETRY_DELAY_MS: 5000,
      CONSUMER_CONCURRENCY: 6,
      CONSUMER_TRANSACTION_RECORDS: 100,
      CONSUMER_DELAY_MS: 0,
      ADMIN_ENDPOINTS: 'on',
    });
  });

  it('parses given values: numbers coerced, brokers split and trimmed', () => {
    const config = load({
      HOST: '0.0.0.0',
      PORT: '8080',
      KAFKA_BROKERS: ' kafka-1:9092, kafka-2:19092 ,',
      DATABASE_URL: 'postgresql://app@db.internal:5433/orders',
      CONSUMER_RETRY_MAX_MS: '500',
      ADMIN_ENDPOINTS: 'off',
    });
    expect(config).toMatchObject({
      HOST: '0.0.0.0',
      PORT: 8080,
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:19092'],
      DATABASE_URL: 'postgresql://app@db.internal:5433/orders',
      CONSUMER_RETRY_MAX_MS: 500,
      ADMIN_ENDPOINTS: 'off',
    });
  });

  it('treats a variable set to nothing as unset (its default), not as 0', () => {
    const config = load({ OUTBOX_POLL_MS: '', CONSUMER_RETRY_MAX_MS: '  ', PORT: '' });
    expect([config.OUTBOX_POLL_MS, config.CONSUMER_RETRY_MAX_MS, config.PORT]).toEqual([200, 5000, 3999]);
  });

  it('ignores variables it does not know', () => {
    expect(load({ PATH: '/usr/bin', SOMETHING_ELSE: 'x' })).not.toHaveProperty('PATH');
  });

  it.each([
    ['PORT', 'not-a-port', 'expected a port number (1-65535)'],
    ['PORT', '65536', 'expected a port number (1-65535)'],
    ['PORT', '80.5', 'expected a port number (1-65535)'],
    ['KAFKA_BROKERS', 'brokerwithoutport', 'expected host:port[,host:port...]'],
    ['KAFKA_BROKERS', ' , ', 'expected at least one host:port'],
    ['DATABASE_URL', 'mysql://root:hunter2@db/orders', 'expected a postgres:// URL'],
    ['DATABASE_URL', 'not a url at all', 'expected a postgres:// URL'],
    ['CONSUMER_RETRY_MAX_MS', '700000', 'expected an integer (1-600000)'],
    ['CONSUMER_CONCURRENCY', '0', 'expected an integer (1-64)'],
    ['CONSUMER_TRANSACTION_RECORDS', '1001', 'expected an integer (1-1000)'],
    ['OUTBOX_POLL_MS', '-1', 'expected milliseconds (0-60000)'],
    ['ADMIN_ENDPOINTS', 'yes', 'expected on or off'],
    ['OUTBOX_CLAIM_LEASE_MS', '999', 'expected an integer (1000-3600000)'],
    ['OUTBOX_MAX_ATTEMPTS', 'many', 'expected an integer (1-1000)'],
    ['RETENTION_JOBS', 'disabled', 'expected on or off'],
    ['RETENTION_INTERVAL_MS', '500', 'expected an integer (1000-86400000)'],
    ['RETENTION_BATCH_SIZE', '-2', 'expected an integer (1-100000)'],
    ['OUTBOX_RETENTION_HOURS', '0.5', 'expected an integer (1-87600)'],
    ['PROCESSED_EVENT_RETENTION_HOURS', 'forever', 'expected an integer (1-87600)'],
  ])('refuses %s=%j with a ConfigError naming the variable, not its value', (name, value, problem) => {
    const error = configError(() => load({ [name]: value }));
    expect(error.name).toBe('ConfigError');
    expect(error.problems).toEqual({ [name]: problem });
    expect(error.message).toContain(`${name}: ${problem}`);
    expect(error.message).not.toContain(value.trim() || '\u0000');
  });

  it('never echoes a secret from a bad DATABASE_URL', () => {
    const error = configError(() => load({ DATABASE_URL: 'mysql://admin:s3cr3t-passw0rd@db/orders' }));
    expect(error.message).not.toMatch(/s3cr3t|admin|mysql/);
  });

  it('reports every bad variable at once', () => {
    const error = configError(() => load({ PORT: '0', KAFKA_BROKERS: 'nope', DATABASE_URL: 'http://x' }));
    expect(Object.keys(error.problems).sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT']);
    expect(error.message.split('\n')).toHaveLength(4);
  });

  it('adds the app variables (extra) to the shared ones', () => {
    const config = loadServiceConfig('unit-service', DEFAULTS, { UNIT_RATE: env.rate().default(0.25) }, { UNIT_RATE: '0.75' });
    expect(config.UNIT_RATE).toBe(0.75);
    expect(config.PORT).toBe(3999);
    expect(configError(() => loadServiceConfig('unit-service', DEFAULTS, { UNIT_RATE: env.rate() }, {})).problems).toHaveProperty(
      'UNIT_RATE',
    );
  });
});

describe('parseEnv', () => {
  it('joins several problems of one variable', () => {
    const schema = z.object({
      NAME: z
        .string()
        .min(5, { error: 'too short' })
        .regex(/^[a-z]+$/, { error: 'lowercase only' }),
    });
    expect(configError(() => parseEnv(schema, { NAME: 'AB' })).problems).toEqual({ NAME: 'too short; lowercase only' });
  });

  it('reports a problem of the whole environment under (environment)', () => {
    const schema = z
      .object({ A: z.string().optional(), B: z.string().optional() })
      .refine((value) => value.A || value.B, { error: 'set A or B' });
    expect(configError(() => parseEnv(schema, {})).problems).toEqual({ '(environment)': 'set A or B' });
  });
});

describe('the apps’ configurations', () => {
  it('user-service: port 3001 and the users database by default', () => {
    expect(loadUserServiceConfig({})).toMatchObject({
      serviceName: 'user-service',
      PORT: 3001,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/users',
    });
  });

  it('order-service: port 3002, the orders database and user-service by default', () => {
    expect(loadOrderServiceConfig({})).toMatchObject({
      serviceName: 'order-service',
      PORT: 3002,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/orders',
      USER_SERVICE_URL: 'http://127.0.0.1:3001',
      USER_SERVICE_TIMEOUT_MS: 2000,
    });
  });

  it('order-service: refuses a USER_SERVICE_URL that is not http(s), and a timeout above a minute', () => {
    expect(configError(() => loadOrderServiceConfig({ USER_SERVICE_URL: 'ftp://users.internal' })).problems).toEqual({
      USER_SERVICE_URL: 'expected an http(s):// URL',
    });
    expect(configError(() => loadOrderServiceConfig({ USER_SERVICE_TIMEOUT_MS: '60001' })).problems).toEqual({
      USER_SERVICE_TIMEOUT_MS: 'expected an integer (1-60000)',
    });
  });

  it('payment-service: port 3003, the payments database, starting balance and no injected failures by default', () => {
    expect(loadPaymentServiceConfig({})).toMatchObject({
      serviceName: 'payment-service',
      PORT: 3003,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/payments',
      PAYMENT_STARTING_BALANCE_MINOR: 100_000,
      PAYMENT_PROCESSOR_LATENCY_MS: 50,
      PAYMENT_PROCESSOR_FAILURE_RATE: 0,
    });
  });

  it.each([
    ['PAYMENT_PROCESSOR_FAILURE_RATE', '2', 'expected a rate between 0 and 1'],
    ['PAYMENT_PROCESSOR_FAILURE_RATE', 'often', 'expected a rate between 0 and 1'],
    ['PAYMENT_PROCESSOR_LATENCY_MS', '-5', 'expected milliseconds (0-600000)'],
    ['PAYMENT_STARTING_BALANCE_MINOR', '12.5', 'expected an integer (0-1000000000)'],
  ])('payment-service: refuses %s=%s, naming it', (name, value, problem) => {
    const error = configError(() => loadPaymentServiceConfig({ [name]: value }));
    expect(error.problems).toEqual({ [name]: problem });
    expect(error.message).toContain(name);
    expect(error.message).not.toContain(value);
  });
});
