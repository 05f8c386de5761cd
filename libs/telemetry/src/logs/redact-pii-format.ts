import winston from 'winston';
import { redactValue } from '../internal/redaction/redact-value';

/** Winston's own key for a record's level (triple-beam's LEVEL), which its transports filter on. */
const LEVEL = Symbol.for('level');

/**
 * A Winston format that redacts e-mail addresses and card numbers in a record's message and
 * metadata at any depth, and in its splat arguments (the OpenTelemetry transport takes an error
 * passed there as the record's exception). First in createLogger's format, so that neither stdout
 * nor the logs SDK sees them; the caller's objects are not changed. Should redaction itself fail,
 * the record is withheld rather than written in clear.
 */
export const redactPii = winston.format((info) => {
  try {
    return redactValue(info);
  } catch {
    return { [LEVEL]: info[LEVEL], level: info.level, message: 'log record withheld: PII redaction failed' };
  }
});
