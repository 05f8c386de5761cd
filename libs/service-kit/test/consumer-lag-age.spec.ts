import type { Attributes, ObservableResult } from '@opentelemetry/api';
import type { KafkaMessage } from 'kafkajs';
import { UnappliedAge } from '../src/consumer/unapplied-age';

const record = (timestamp: number): KafkaMessage =>
  ({ key: null, value: null, timestamp: String(timestamp), attributes: 0, offset: '0', headers: {} }) as KafkaMessage;

function observed(age: UnappliedAge, now: number): { seconds: number; attributes: Attributes }[] {
  const points: { seconds: number; attributes: Attributes }[] = [];
  const result: ObservableResult = { observe: (seconds, attributes = {}) => void points.push({ seconds, attributes }) };
  age.observe(result, 'order-service', now);
  return points;
}

describe('consumer lag in seconds (tracehop.consumer.lag.age)', () => {
  it('is the age of the partition’s next unapplied record, per group, topic and partition', () => {
    const age = new UnappliedAge();
    age.waiting('payments.payment-completed.v1', 2, record(10_000));
    expect(observed(age, 12_500)).toEqual([
      {
        seconds: 2.5,
        attributes: {
          'messaging.consumer.group.name': 'order-service',
          'messaging.destination.name': 'payments.payment-completed.v1',
          'messaging.destination.partition.id': '2',
        },
      },
    ]);
  });

  it('drops to 0 once a batch leaves nothing behind, and keeps the last applied record’s age while records wait', () => {
    const age = new UnappliedAge();
    age.waiting('t', 0, record(1_000));
    age.batchDone('t', 0, record(4_000), '0');
    age.waiting('t', 1, record(1_000));
    age.batchDone('t', 1, record(4_000), '120');
    expect(observed(age, 5_000).map((point) => [point.attributes['messaging.destination.partition.id'], point.seconds])).toEqual([
      ['0', 0],
      ['1', 1],
    ]);
  });

  it('forgets every partition on a rebalance, and never reports a negative age for a record stamped ahead of the clock', () => {
    const age = new UnappliedAge();
    age.waiting('t', 0, record(9_000));
    expect(observed(age, 8_000)[0].seconds).toBe(0);
    age.reset();
    expect(observed(age, 8_000)).toEqual([]);
  });
});
