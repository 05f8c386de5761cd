import type { Producer, ProducerRecord } from 'kafkajs';
import { REPUBLISH_HEADERS } from '../src/headers';
import { headerValues } from '../src/internal/kafka/header-values';
import { republish } from '../src/kafka/republish';
import { consumedMessage } from './kafka-stand-in';

/** The tracehop-error header a record republished after this failure carries. */
async function errorHeader(error: unknown): Promise<string[]> {
  const sent: ProducerRecord[] = [];
  const producer = { send: async (record: ProducerRecord) => (sent.push(record), []) } as unknown as Producer;
  await republish(producer, { topic: 'orders', partition: 0, message: consumedMessage(7, {}) }, 'orders.dlq', error);
  return headerValues(sent[0].messages[0].headers ?? {}, REPUBLISH_HEADERS.error);
}

describe('republish redacts the failure it records in the tracehop-error header', () => {
  it.each([
    ['an Error', new Error('duplicate key: email jane.doe@example.com, card 4111 1111 1111 1111')],
    ['a thrown string', 'duplicate key: email jane.doe@example.com, card 4111 1111 1111 1111'],
  ])('from %s', async (_, error) => {
    expect(await errorHeader(error)).toEqual(['duplicate key: email [REDACTED_EMAIL], card [REDACTED_CARD]']);
  });

  it('redacts before it shortens, so a cut never leaves part of an address behind', async () => {
    const [header] = await errorHeader(new Error(`${'x'.repeat(480)} jane.doe@example.com`));
    expect(header).toBe(`${'x'.repeat(480)} [REDACTED_EMAIL]`);
  });
});
