import { validate, IsUUID } from 'class-validator';
import { KafkaJSConnectionError, KafkaJSError, KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { DatabaseError } from 'pg';
import { z } from 'zod';
import { PoisonMessageError } from '../../contracts/src';
import { classifyFailure, type FailureKind } from '../src/consumer/failure-kind';

/** An error as pg reports it from the server (SQLSTATE in `code`). */
function postgres(code: string): DatabaseError {
  const error = new DatabaseError(`postgres said ${code}`, 0, 'error');
  error.code = code;
  return error;
}
const system = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: 'connect' });

class NotOpenYet extends Error {}
class Validated {
  @IsUUID()
  id = 'not-a-uuid';
}

describe('classifyFailure', () => {
  const cases: [string, FailureKind, () => unknown][] = [
    // Dependencies down or busy: retried in place, then through the retry topic without spending an attempt.
    ['kafkajs connection error (retriable)', 'transient', () => new KafkaJSConnectionError('Connection error')],
    [
      'kafkajs error marked retriable (leader not available)',
      'transient',
      () => new KafkaJSError('leader not available', { retriable: true }),
    ],
    [
      'kafkajs retries exhausted on a connection error',
      'transient',
      () => new KafkaJSNumberOfRetriesExceeded(new KafkaJSConnectionError('Connection error'), { retryCount: 5, retryTime: 1000 }),
    ],
    ['Postgres 08006 connection failure', 'transient', () => postgres('08006')],
    ['Postgres 08001 cannot connect', 'transient', () => postgres('08001')],
    ['Postgres 40001 serialization failure', 'transient', () => postgres('40001')],
    ['Postgres 40P01 deadlock', 'transient', () => postgres('40P01')],
    ['Postgres 55P03 lock not available', 'transient', () => postgres('55P03')],
    ['Postgres 57014 query canceled', 'transient', () => postgres('57014')],
    ['Postgres 57P01 admin shutdown', 'transient', () => postgres('57P01')],
    ['Postgres 57P03 starting up', 'transient', () => postgres('57P03')],
    ['Postgres 53300 too many connections', 'transient', () => postgres('53300')],
    ['ECONNREFUSED', 'transient', () => system('ECONNREFUSED')],
    ['ECONNRESET', 'transient', () => system('ECONNRESET')],
    ['ETIMEDOUT', 'transient', () => system('ETIMEDOUT')],
    ['pg: connection terminated', 'transient', () => new Error('Connection terminated unexpectedly')],
    ["an app's not-ready-yet (an account not opened yet)", 'transient', () => new NotOpenYet('no payment account for user u yet')],
    ['anything unknown, even a thrown string', 'transient', () => 'weird'],
    // The same input fails the same way: the retry topic, then the DLQ.
    ['Postgres 23505 unique violation', 'deterministic', () => postgres('23505')],
    ['Postgres 23514 check violation', 'deterministic', () => postgres('23514')],
    ['Postgres 23502 not-null violation', 'deterministic', () => postgres('23502')],
    ['Postgres 22P02 invalid text representation', 'deterministic', () => postgres('22P02')],
    ['Postgres 22003 numeric out of range', 'deterministic', () => postgres('22003')],
    ['TypeError', 'deterministic', () => new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['RangeError', 'deterministic', () => new RangeError('Invalid time value')],
    ['SyntaxError (JSON.parse in a handler)', 'deterministic', () => new SyntaxError('Unexpected token')],
    ['ReferenceError', 'deterministic', () => new ReferenceError('x is not defined')],
    ['zod validation', 'deterministic', () => z.object({ id: z.uuid() }).safeParse({ id: 'x' }).error],
    ['class-validator validation errors', 'deterministic', () => validate(new Validated())],
    ['kafkajs non-retriable error', 'deterministic', () => new KafkaJSNonRetriableError('message too large')],
    [
      'kafkajs retries exhausted on a non-retriable cause',
      'deterministic',
      () =>
        new KafkaJSNumberOfRetriesExceeded(new KafkaJSNonRetriableError('topic authorization failed'), { retryCount: 5, retryTime: 1000 }),
    ],
    // Never succeeds: the DLQ at once.
    ['PoisonMessageError', 'poison', () => new PoisonMessageError('payment outcome for unknown order')],
  ];

  it.each(cases)('%s → %s', async (_, kind, make) => {
    expect(classifyFailure(await make())).toBe(kind);
  });
});
