import { env } from '../src/config/service-config';
import { Faults } from '../src/faults/faults';

/** The switches payment-service runs with (ServiceKitModule always adds consumerDelayMs). */
const paymentFaults = () =>
  new Faults({
    consumerDelayMs: { description: 'Every consumed record waits this long first (slow consumer)', schema: env.millis(), initial: 0 },
    processorLatencyMs: { description: 'Simulated payment processor latency per charge', schema: env.millis(), initial: 50 },
    processorFailureRate: { description: 'Share of charges the processor fails (0-1)', schema: env.rate(), initial: 0 },
  });

const values = (faults: Faults) => Object.fromEntries(Object.entries(faults.describe()).map(([name, { value }]) => [name, value]));

const INITIAL = { consumerDelayMs: 0, processorLatencyMs: 50, processorFailureRate: 0 };

describe('Faults', () => {
  it('starts with each switch at its initial value, and describes them', () => {
    const faults = paymentFaults();
    expect(faults.value('processorLatencyMs')).toBe(50);
    expect(faults.describe()).toEqual({
      consumerDelayMs: { value: 0, description: 'Every consumed record waits this long first (slow consumer)' },
      processorLatencyMs: { value: 50, description: 'Simulated payment processor latency per charge' },
      processorFailureRate: { value: 0, description: 'Share of charges the processor fails (0-1)' },
    });
  });

  it('throws when asked for a switch it does not have', () => {
    expect(() => paymentFaults().value('diskFull')).toThrow('unknown fault diskFull');
  });

  it('applies a partial update and leaves the other switches as they were', () => {
    const faults = paymentFaults();
    expect(faults.update({ processorFailureRate: 0.5 })).toBeUndefined();
    expect(values(faults)).toEqual({ ...INITIAL, processorFailureRate: 0.5 });
    expect(faults.update({ consumerDelayMs: 250, processorLatencyMs: 0 })).toBeUndefined();
    expect(values(faults)).toEqual({ consumerDelayMs: 250, processorLatencyMs: 0, processorFailureRate: 0.5 });
  });

  it('accepts an empty update as a no-op', () => {
    const faults = paymentFaults();
    expect(faults.update({})).toBeUndefined();
    expect(values(faults)).toEqual(INITIAL);
  });

  it('applies nothing when one value of the update is invalid (all or nothing)', () => {
    const faults = paymentFaults();
    const problems = faults.update({ processorLatencyMs: 1000, processorFailureRate: 1.5 });
    expect(problems).toEqual({ processorFailureRate: ['expected a rate between 0 and 1'] });
    expect(values(faults)).toEqual(INITIAL);
  });

  it('refuses unknown switch names, listing the known ones, and applies nothing', () => {
    const faults = paymentFaults();
    const problems = faults.update({ processorLatencyMs: 1000, diskFull: 1, networkSplit: 1 });
    const known = 'unknown fault (known: consumerDelayMs, processorLatencyMs, processorFailureRate)';
    expect(problems).toEqual({ diskFull: [known], networkSplit: [known] });
    expect(values(faults)).toEqual(INITIAL);
  });

  it.each([
    ['a negative delay', { consumerDelayMs: -1 }, 'consumerDelayMs', 'expected milliseconds (0-600000)'],
    ['a delay over ten minutes', { processorLatencyMs: 600_001 }, 'processorLatencyMs', 'expected milliseconds (0-600000)'],
    ['a fractional delay', { processorLatencyMs: 12.5 }, 'processorLatencyMs', 'expected milliseconds (0-600000)'],
    ['a rate above 1', { processorFailureRate: 2 }, 'processorFailureRate', 'expected a rate between 0 and 1'],
    ['a negative rate', { processorFailureRate: -0.1 }, 'processorFailureRate', 'expected a rate between 0 and 1'],
    ['a word for a number', { processorFailureRate: 'often' }, 'processorFailureRate', 'expected a number'],
    ['a boolean (not coerced to 1)', { processorFailureRate: true }, 'processorFailureRate', 'expected a number'],
    ['a numeric string', { processorFailureRate: '0.5' }, 'processorFailureRate', 'expected a number'],
    ['null (not coerced to 0)', { consumerDelayMs: null }, 'consumerDelayMs', 'expected a number'],
  ])('refuses %s, naming the switch', (_, changes, name, problem) => {
    const faults = paymentFaults();
    expect(faults.update(changes)).toEqual({ [name]: [problem] });
    expect(values(faults)).toEqual(INITIAL);
  });

  it('reports every problem of an update at once', () => {
    const problems = paymentFaults().update({ consumerDelayMs: -1, processorFailureRate: 2, bogus: 0 });
    expect(Object.keys(problems ?? {}).sort()).toEqual(['bogus', 'consumerDelayMs', 'processorFailureRate']);
  });

  it.each([
    ['null', null],
    ['an array', [0.5]],
    ['a number', 0.5],
    ['a string', 'processorFailureRate=0.5'],
  ])('refuses a body that is %s, under "body"', (_, body) => {
    const faults = paymentFaults();
    expect(faults.update(body)).toEqual({ body: [expect.any(String)] });
    expect(values(faults)).toEqual(INITIAL);
  });
});
