import { PassThrough } from 'node:stream';
import { WinstonModule } from 'nest-winston';
import winston from 'winston';
import { createLogger } from '@tracehop/telemetry';

/** Nest's own messages go through nest-winston onto the service's Winston logger (runService does this). */
describe("Nest's logger on the telemetry logger", () => {
  function capture() {
    const logger = createLogger({ serviceName: 'nest-logger-spec' });
    logger.transports.forEach((transport) => (transport.silent = true));
    const stream = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    stream.on('data', (chunk: Buffer) => lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>));
    logger.add(new winston.transports.Stream({ stream, format: winston.format.json() }));
    return { nest: WinstonModule.createLogger({ instance: logger }), lines };
  }

  it('writes every Nest level, fatal included, with its context', () => {
    const { nest, lines } = capture();
    nest.log('started', 'Bootstrap');
    nest.error('failed', 'Error: failed\n    at here', 'Router');
    nest.fatal?.('giving up', undefined, 'Bootstrap');
    expect(lines.map(({ level, message, context }) => ({ level, message, context }))).toEqual([
      { level: 'info', message: 'started', context: 'Bootstrap' },
      { level: 'error', message: 'failed', context: 'Router' },
      { level: 'fatal', message: 'giving up', context: 'Bootstrap' },
    ]);
  });

  it('survives circular objects', () => {
    const { nest, lines } = capture();
    const payload: Record<string, unknown> = { name: 'loop' };
    payload.self = payload;
    nest.log({ message: 'circular', payload }, 'Spec');
    expect(lines[0]).toMatchObject({ level: 'info', message: 'circular', payload: { name: 'loop', self: '[Circular]' } });
  });
});
