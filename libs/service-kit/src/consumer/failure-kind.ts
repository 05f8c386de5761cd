import { ValidationError } from 'class-validator';
import { KafkaJSError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { DatabaseError } from 'pg';
import { z } from 'zod';
import { PoisonMessageError } from '@tracehop/contracts';

/**
 * Why a record's handling failed, which decides where it goes next:
 * - `poison`: can never succeed (undecodable, or the handler says so): dead-lettered at once;
 * - `deterministic`: the same input fails the same way (a bug, bad data): retried through the retry
 *   topic a few times (a fix may be deployed, a row another record creates may appear), then dead-lettered;
 * - `transient`: a dependency is down or busy: retried in place (bounded), then through the retry
 *   topic without spending an attempt.
 */
export type FailureKind = 'transient' | 'deterministic' | 'poison';

/**
 * Postgres classes of errors in the statement's own data: 22 data exception, 23 integrity constraint
 * violation (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 */
const DETERMINISTIC_SQLSTATE_CLASSES = new Set(['22', '23']);

/** Programming errors: the same code on the same input throws again. */
const DETERMINISTIC_ERROR_TYPES = [TypeError, RangeError, SyntaxError, ReferenceError];

/**
 * Classifies a handler's failure. Transient, among others: kafkajs' retriable errors; Postgres
 * connection errors (class 08), 40001 serialization failure, 40P01 deadlock, 55P03 lock not
 * available, 57014 query canceled, 57P01-57P03 shutdown or starting up; ECONNREFUSED, ECONNRESET,
 * ETIMEDOUT; pg's "Connection terminated unexpectedly" and pool timeouts; an app's "not ready yet"
 * (payment-service's account not opened yet). Anything not recognised as deterministic is transient:
 * a failure we cannot name is as likely a dependency as a bug, and a valid record must never reach
 * the DLQ because a dependency was slow. Its retries are bounded all the same (in place by attempts
 * and time, then the retry topic), so it never stalls a partition, and the consumer retries metric
 * shows it by `error.type`.
 */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PoisonMessageError) return 'poison';
  if (error instanceof DatabaseError)
    return DETERMINISTIC_SQLSTATE_CLASSES.has(error.code?.slice(0, 2) ?? '') ? 'deterministic' : 'transient';
  // A kafkajs error of exhausted retries is not retriable itself: its cause says what went wrong.
  if (error instanceof KafkaJSNumberOfRetriesExceeded && error.cause !== undefined) return classifyFailure(error.cause);
  if (error instanceof KafkaJSError) return error.retriable ? 'transient' : 'deterministic';
  if (DETERMINISTIC_ERROR_TYPES.some((type) => error instanceof type)) return 'deterministic';
  if (error instanceof z.core.$ZodError || isClassValidatorFailure(error)) return 'deterministic';
  return 'transient';
}

/** class-validator's validate/validateOrReject report an array of ValidationError (not Error instances). */
function isClassValidatorFailure(error: unknown): boolean {
  return Array.isArray(error) && error.length > 0 && error.every((item) => item instanceof ValidationError);
}
