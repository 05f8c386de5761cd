import { InvalidArgumentError } from 'commander';
import ms from 'ms';

/** A commander parser for a time span such as 15m, 2h or 1d, in milliseconds. */
export function durationOption(value: string): number {
  const millis = ms(value as ms.StringValue);
  if (!(millis > 0)) throw new InvalidArgumentError('expected a duration such as 15m, 2h or 1d');
  return millis;
}
