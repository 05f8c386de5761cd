import { diag, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { RateLimitedWarning } from '../../logs/rate-limited-warning';
import { diagLogLevelFromEnv } from '../options';

const firstLine = (value: unknown) => (value instanceof Error ? value.message : String(value)).split('\n')[0].slice(0, 300);

/** Kinds of problem remembered for rate limiting; the oldest is forgotten beyond this. */
const KINDS_REMEMBERED = 64;

/** A problem's kind: its text up to the first colon ("telemetry export dropped a batch", "PeriodicExportingMetricReader"). */
const kindOf = (line: string) => line.split(':')[0].slice(0, 100);

function createQuietLogger(): DiagLogger {
  // One limit per kind: a retry said every second must not hide the news that a batch was dropped.
  const kinds = new Map<string, RateLimitedWarning>();
  const limiterFor = (kind: string) => {
    let limiter = kinds.get(kind);
    if (!limiter) {
      if (kinds.size >= KINDS_REMEMBERED) kinds.delete(kinds.keys().next().value!);
      limiter = new RateLimitedWarning(30_000, (message) => console.warn(`tracehop telemetry: ${message}`));
      kinds.set(kind, limiter);
    }
    return limiter;
  };
  const say = (message: string, args: unknown[]) => {
    const line = [message, ...args.map(firstLine)].join(' ');
    limiterFor(kindOf(line)).say(line);
  };
  // Asked-for detail is said in full: rate limiting debug output would defeat it.
  const detail = (message: string, args: unknown[]) => console.warn(`tracehop telemetry: ${[message, ...args.map(firstLine)].join(' ')}`);
  return {
    error: (message, ...args) => say(message, args),
    warn: (message, ...args) => say(message, args),
    info: (message, ...args) => say(message, args),
    debug: (message, ...args) => detail(message, args),
    verbose: (message, ...args) => detail(message, args),
  };
}

/**
 * Routes the SDK's own messages (diag, at OTEL_LOG_LEVEL, default info as the specification says,
 * and the global error handler, which otherwise prints a full stack for every failed metric export)
 * to stderr as single lines; errors, warnings and notices at most one of each kind every 30 s with a
 * count of what was swallowed: a collector outage must not flood the logs, nor hide a different problem.
 */
export function reportTelemetryProblemsQuietly(env: NodeJS.ProcessEnv = process.env): void {
  diag.setLogger(createQuietLogger(), { logLevel: diagLogLevelFromEnv(env), suppressOverrideMessage: true });
  // Through diag, so that OTEL_LOG_LEVEL and the rate limit apply to it too.
  setGlobalErrorHandler((error) => diag.error(firstLine(error)));
}
