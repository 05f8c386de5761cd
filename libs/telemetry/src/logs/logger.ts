import winston from 'winston';
import { redactPii } from './redact-pii-format';

/**
 * A Winston logger writing JSON lines to stdout. With telemetry started (preload), the winston
 * instrumentation adds trace_id, span_id and trace_flags of the active span to every record and
 * sends the same records through the OpenTelemetry logs SDK to the agent. E-mail addresses and card
 * numbers are redacted first, in the message and in metadata at any depth (redactPii), so neither
 * stdout nor the SDK ever sees them.
 */
export function createLogger(options: { serviceName?: string; level?: string } = {}): winston.Logger {
  return winston.createLogger({
    // npm's levels plus `fatal`, which Nest's logger interface has (nest-winston logs at it) and
    // the OpenTelemetry transport maps to severity FATAL; unknown to winston, the record would be dropped.
    levels: { fatal: 0, ...Object.fromEntries(Object.entries(winston.config.npm.levels).map(([name, rank]) => [name, rank + 1])) },
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    format: winston.format.combine(redactPii(), winston.format.timestamp(), winston.format.json()),
    defaultMeta: { 'service.name': options.serviceName ?? process.env.OTEL_SERVICE_NAME },
    transports: [new winston.transports.Console()],
  });
}
