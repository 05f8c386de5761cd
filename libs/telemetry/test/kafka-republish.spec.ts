import type { IHeaders, Producer, ProducerRecord } from 'kafkajs';
import { headerValues } from '../src/internal/kafka/header-values';
import { republish } from '../src/kafka/republish';
import { consumedMessage } from './kafka-stand-in';

/** Republishes one record through a producer that only records what it was asked to send. */
async function republished(topic: string, partition: number, offset: number, headers: Record<string, string>): Promise<IHeaders> {
  const sent: ProducerRecord[] = [];
  const producer = { send: async (record: ProducerRecord) => (sent.push(record), []) } as unknown as Producer;
  await republish(producer, { topic, partition, message: consumedMessage(offset, headers) }, 'orders.dlq', new Error('still failing'));
  return sent[0].messages[0].headers ?? {};
}

const origin = (headers: IHeaders) =>
  ['tracehop-original-topic', 'tracehop-original-partition', 'tracehop-original-offset'].map((name) => headerValues(headers, name));

describe('republish keeps pointing at the original record', () => {
  it('a first failure records where the record itself was consumed', async () => {
    expect(origin(await republished('orders', 2, 41, {}))).toEqual([['orders'], ['2'], ['41']]);
  });

  it('after a retry topic, the dead letter still names the original topic, partition and offset', async () => {
    const fromRetry = await republished('orders.retry-1', 0, 5, {
      'tracehop-attempt': '1',
      'tracehop-original-topic': 'orders',
      'tracehop-original-partition': '2',
      'tracehop-original-offset': '41',
    });
    expect(origin(fromRetry)).toEqual([['orders'], ['2'], ['41']]);
    expect(headerValues(fromRetry, 'tracehop-attempt')).toEqual(['2']);
  });

  it.each([
    ['a partition that is no number', { 'tracehop-original-partition': 'two', 'tracehop-original-offset': '41' }],
    ['a missing offset', { 'tracehop-original-partition': '2' }],
    ['a negative offset', { 'tracehop-original-partition': '2', 'tracehop-original-offset': '-1' }],
  ])('an origin with %s is ignored whole, never mixed with the current record', async (_, broken) => {
    const headers = await republished('orders.retry-1', 0, 5, { 'tracehop-original-topic': 'orders', ...broken });
    expect(origin(headers)).toEqual([['orders.retry-1'], ['0'], ['5']]);
  });
});
