import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';
import { RateLimitedWarning } from '../../logs/rate-limited-warning';

const firstLine = (value: unknown) => (value instanceof Error ? value.message : String(value)).split('\n')[0].slice(0, 300);

/**
 * Routes the SDK's own complaints (diag warnings and errors, and the global error handler, which
 * otherwise prints a full stack for every failed metric export) to stderr as single lines, at most
 * one every 30 s with a count of what was swallowed: a collector outage must not flood the logs.
 */
export function reportTelemetryProblemsQuietly(): void {
  const problems = new RateLimitedWarning(30_000, (message) => console.warn(`tracehop telemetry: ${message}`));
  const say = (message: string, args: unknown[]) => problems.say([message, ...args.map(firstLine)].join(' '));
  const logger: DiagLogger = {
    error: (message, ...args) => say(message, args),
    warn: (message, ...args) => say(message, args),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  setGlobalErrorHandler((error) => problems.say(firstLine(error)));
}
