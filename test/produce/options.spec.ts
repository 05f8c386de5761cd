import { TOPICS } from '@tracehop/contracts';
import { parseProduceOptions, ProduceOptionsError, TOPIC_ALIASES, type RawProduceOptions } from '../../tools/produce/options';

/** The problems parseProduceOptions reports, or [] when the options are valid. */
function problems(raw: RawProduceOptions, env: Record<string, string | undefined> = {}): string[] {
  try {
    parseProduceOptions(raw, env);
    return [];
  } catch (error) {
    if (error instanceof ProduceOptionsError) return error.problems;
    throw error;
  }
}

describe('npm run produce: options', () => {
  it('has an alias for every topic, and takes aliases and full topic names alike', () => {
    expect(Object.values(TOPIC_ALIASES).sort()).toEqual(Object.values(TOPICS).sort());
    expect(TOPIC_ALIASES['order-confirmed']).toBe('orders.order-confirmed.v1');
    expect(parseProduceOptions({ topic: 'payment-failed' }).topic).toBe(TOPICS.paymentFailed);
    expect(parseProduceOptions({ topic: TOPICS.paymentFailed }).topic).toBe(TOPICS.paymentFailed);
  });

  it('defaults: one message in a new trace, as fast as acks come, to 127.0.0.1:9092, 10.00 EUR', () => {
    expect(parseProduceOptions({ topic: 'order-created' })).toEqual({
      topic: TOPICS.orderCreated,
      count: 1,
      ratePerSecond: undefined,
      durationSeconds: undefined,
      brokers: ['127.0.0.1:9092'],
      traceMode: 'traceparent',
      poison: false,
      content: { userId: undefined, orderId: undefined, amountMinor: 1000, currency: 'EUR' },
      json: false,
      quiet: false,
      loadMode: false,
    });
  });

  it('brokers: --brokers, else KAFKA_BROKERS (blank means unset), else the default', () => {
    expect(parseProduceOptions({ topic: 'order-created' }, { KAFKA_BROKERS: 'k1:9092, k2:9093' }).brokers).toEqual(['k1:9092', 'k2:9093']);
    expect(parseProduceOptions({ topic: 'order-created', brokers: 'b:1' }, { KAFKA_BROKERS: 'k1:9092' }).brokers).toEqual(['b:1']);
    expect(parseProduceOptions({ topic: 'order-created' }, { KAFKA_BROKERS: '  ' }).brokers).toEqual(['127.0.0.1:9092']);
    // A bad variable is named as such, and its value is not echoed (it is not something the user typed here).
    expect(problems({ topic: 'order-created' }, { KAFKA_BROKERS: 'secret-host' })).toEqual([
      expect.stringMatching(/^KAFKA_BROKERS \(environment; --brokers overrides it\): /),
    ]);
    expect(problems({ topic: 'order-created' }, { KAFKA_BROKERS: 'secret-host' })[0]).not.toContain('secret-host');
  });

  it.each<[string, RawProduceOptions, RegExp]>([
    ['missing topic', {}, /^--topic: is required/],
    ['unknown topic', { topic: 'orders' }, /^--topic: unknown topic; use one of user-registered, .* \(got "orders"\)$/],
    ['count not a number', { topic: 'order-created', count: 'ten' }, /^--count: must be a whole number from 1 to \d+ \(got "ten"\)$/],
    ['count zero', { topic: 'order-created', count: '0' }, /^--count: must be at least 1 \(got "0"\)$/],
    ['count fractional', { topic: 'order-created', count: '1.5' }, /^--count: must be a whole number/],
    ['rate zero', { topic: 'order-created', rate: '0' }, /^--rate: must be greater than 0 \(got "0"\)$/],
    ['rate negative', { topic: 'order-created', rate: '-5' }, /^--rate: must be a positive number/],
    ['duration not a number', { topic: 'order-created', duration: '10s' }, /^--duration: must be a positive number \(got "10s"\)$/],
    ['broker without port', { topic: 'order-created', brokers: 'localhost' }, /^--brokers: each broker must be host:port/],
    [
      'broker port out of range',
      { topic: 'order-created', brokers: 'localhost:70000' },
      /^--brokers: each broker must be host:port \(port 1-65535\)/,
    ],
    ['user id not a UUID', { topic: 'order-created', userId: '42' }, /^--user-id: must be a UUID \(got "42"\)$/],
    ['order id not a UUID', { topic: 'order-created', orderId: 'o-1' }, /^--order-id: must be a UUID \(got "o-1"\)$/],
    ['negative amount', { topic: 'order-created', amountMinor: '-1' }, /^--amount-minor: must be a whole number from 0 to 100000000/],
    [
      'amount beyond the HTTP API bound',
      { topic: 'order-created', amountMinor: '100000001' },
      /^--amount-minor: must be at most 100000000/,
    ],
    ['unknown currency', { topic: 'order-created', currency: 'CHF' }, /^--currency: must be one of EUR, USD, GBP \(got "CHF"\)$/],
    [
      'two trace modes',
      { topic: 'order-created', traceparent: false, malformedTraceparent: true },
      /^--malformed-traceparent: cannot be combined with --no-traceparent/,
    ],
    [
      'explicit and malformed traceparent',
      { topic: 'order-created', traceparent: true, malformedTraceparent: true },
      /^--malformed-traceparent: cannot be combined with --traceparent/,
    ],
    [
      'an order id for user events',
      { topic: 'user-registered', orderId: '6d1f3b0e-5a0c-4c1e-9a53-2f6f3a4b5c6d' },
      /^--order-id: users.user-registered.v1 events carry no order/,
    ],
    [
      'an amount for user events',
      { topic: 'user-registered', amountMinor: '5' },
      /^--amount-minor: users.user-registered.v1 events carry no amount/,
    ],
    [
      'a currency for user events',
      { topic: 'user-registered', currency: 'EUR' },
      /^--currency: users.user-registered.v1 events carry no currency/,
    ],
    ['an amount with --poison', { topic: 'order-created', poison: true, amountMinor: '5' }, /^--amount-minor: has no effect with --poison/],
  ])('%s: the error names the option', (_case, raw, message) => {
    const found = problems(raw);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('reports every bad option at once', () => {
    expect(
      problems({ count: 'x', rate: 'fast', currency: 'XXX' })
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual(['--count', '--currency', '--rate', '--topic']);
  });

  it('trace modes: --no-traceparent is none, --malformed-traceparent is malformed', () => {
    expect(parseProduceOptions({ topic: 'order-created', traceparent: true }).traceMode).toBe('traceparent');
    expect(parseProduceOptions({ topic: 'order-created', traceparent: false }).traceMode).toBe('none');
    expect(parseProduceOptions({ topic: 'order-created', malformedTraceparent: true }).traceMode).toBe('malformed');
  });

  it('load mode: --duration alone sends until it ends; with --count, whichever comes first', () => {
    expect(parseProduceOptions({ topic: 'order-cancelled', duration: '30', rate: '100' })).toMatchObject({
      count: Infinity,
      durationSeconds: 30,
      ratePerSecond: 100,
      loadMode: true,
    });
    expect(parseProduceOptions({ topic: 'order-cancelled', duration: '30', count: '200' })).toMatchObject({
      count: 200,
      durationSeconds: 30,
      loadMode: true,
    });
    expect(parseProduceOptions({ topic: 'order-cancelled', count: '2' }).loadMode).toBe(true);
    expect(parseProduceOptions({ topic: 'order-cancelled', rate: '0.5' }).ratePerSecond).toBe(0.5);
  });

  it('event content: targeted ids, amount and currency (any letter case)', () => {
    const userId = '0b6f8f8e-3f1a-4d5e-9b1c-2a3b4c5d6e7f';
    const orderId = '6d1f3b0e-5a0c-4c1e-9a53-2f6f3a4b5c6d';
    expect(parseProduceOptions({ topic: 'order-confirmed', userId, orderId, amountMinor: '0', currency: 'gbp' }).content).toEqual({
      userId,
      orderId,
      amountMinor: 0,
      currency: 'GBP',
    });
    // Poison records still take the ids: they choose the record's key.
    expect(parseProduceOptions({ topic: 'order-created', poison: true, orderId }).content.orderId).toBe(orderId);
  });

  it('--json prints nothing but the summary on stdout, so it implies --quiet', () => {
    expect(parseProduceOptions({ topic: 'order-created', json: true })).toMatchObject({ json: true, quiet: true });
    expect(parseProduceOptions({ topic: 'order-created', quiet: true })).toMatchObject({ json: false, quiet: true });
  });
});
