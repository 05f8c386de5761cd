import {
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
} from 'kafkajs';
import { classifySendFailure } from '../src/outbox/send-failure';

/** A protocol error as kafkajs 2.2.4 builds it from a produce response's error code (src/protocol/error.js). */
const protocolError = (type: string, code: number, retriable: boolean) =>
  new KafkaJSProtocolError({ type, code, retriable, message: `${type} from the broker` } as unknown as Error);

/** kafkajs' retrier: a retriable error, retried until the retries ran out. */
const retriesExhausted = (cause: Error) => new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1000 } as never);

describe('classifySendFailure', () => {
  it.each([
    ['MESSAGE_TOO_LARGE', 10],
    ['RECORD_LIST_TOO_LARGE', 18],
    ['INVALID_RECORD', 87],
    ['TOPIC_AUTHORIZATION_FAILED', 29],
    ['INVALID_TOPIC_EXCEPTION', 17],
  ])('a permanent refusal of the record: %s', (type, code) => {
    expect(classifySendFailure(protocolError(type, code, false))).toEqual({
      kind: 'refused',
      permanent: true,
      reason: `${type}: ${type} from the broker`,
    });
  });

  it('looks through kafkajs’ wrappers to the error that decided', () => {
    // As kafkajs' retrier rejects a non-retriable error: `new KafkaJSNonRetriableError(e, { cause: e.cause || e })`.
    const refusal = protocolError('MESSAGE_TOO_LARGE', 10, false);
    const wrapped = Object.assign(new KafkaJSNonRetriableError(refusal), { cause: refusal });
    expect(classifySendFailure(wrapped)).toMatchObject({ kind: 'refused', permanent: true });
  });

  it('Kafka unavailable (connection, timeout, leader election, retries exhausted on those): counts against no row', () => {
    for (const error of [
      new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'),
      new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'),
      new KafkaJSError('The producer is disconnected'),
      retriesExhausted(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092')),
      retriesExhausted(protocolError('LEADER_NOT_AVAILABLE', 5, true)),
      protocolError('NOT_ENOUGH_REPLICAS', 19, true),
    ])
      expect(classifySendFailure(error)).toMatchObject({ kind: 'unavailable' });
  });

  it.each(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'INVALID_PRODUCER_EPOCH', 'UNKNOWN_PRODUCER_ID'])(
    'the producer out of step with the broker (%s): not the rows’ fault',
    (type) => {
      expect(classifySendFailure(protocolError(type, 45, false))).toMatchObject({ kind: 'producer-out-of-step' });
    },
  );

  it('a topic that does not exist (retried by kafkajs) is counted against the row, not taken for an outage', () => {
    expect(classifySendFailure(retriesExhausted(protocolError('UNKNOWN_TOPIC_OR_PARTITION', 3, true)))).toEqual({
      kind: 'refused',
      permanent: false,
      reason: 'UNKNOWN_TOPIC_OR_PARTITION: UNKNOWN_TOPIC_OR_PARTITION from the broker',
    });
  });

  it('other non-retriable errors (client-side validation, unknown codes, plain errors) are refusals counted per attempt', () => {
    for (const error of [
      new KafkaJSNonRetriableError('Invalid topic'),
      protocolError('KAFKAJS_UNKNOWN_ERROR_CODE', -99, false),
      new TypeError('Cannot read properties of undefined'),
      'a thrown string',
    ])
      expect(classifySendFailure(error)).toMatchObject({ kind: 'refused', permanent: false });
  });
});
