import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'winston';

/**
 * Nest's LoggerService on a Winston logger (libs/telemetry createLogger), so Nest's own messages are
 * JSON lines with trace ids and reach the log store (VictoriaLogs) like the application's. Use:
 * NestFactory.create(AppModule, { logger: new WinstonNestLogger(createLogger()) }).
 */
export class WinstonNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...optional: unknown[]): void {
    this.write('info', message, optional);
  }

  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }

  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }

  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }

  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('verbose', message, optional);
  }

  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional, { fatal: true });
  }

  /** Nest passes the context (class name) last, and a stack before it for errors. */
  private write(level: string, message: unknown, optional: unknown[], extra: Record<string, unknown> = {}): void {
    const rest = [...optional];
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const stack = level === 'error' && typeof rest[0] === 'string' ? (rest.shift() as string) : undefined;
    const text = message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message);
    this.logger.log(level, text, {
      ...extra,
      ...(context ? { context } : {}),
      ...(stack ? { stack } : {}),
      ...(message instanceof Error ? { stack: message.stack } : {}),
    });
  }
}
