import { logs, type LoggerProvider as ApiLoggerProvider } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OpenTelemetryTransportV3 } from '@opentelemetry/winston-transport';
import Transport from 'winston-transport';
import { createLogger } from '../src/logs/logger';

const email = 'jane.doe@example.com';
const card = '4111-1111-1111-1111';

/** Winston's key for the formatted line (triple-beam's MESSAGE): what the Console transport writes to stdout. */
const MESSAGE = Symbol.for('message');

/** Keeps the line the Console transport would write to stdout. */
class StdoutLines extends Transport {
  readonly lines: string[] = [];
  override log(info: Record<string | symbol, unknown>, done: () => void): void {
    this.lines.push(String(info[MESSAGE]));
    done();
  }
}

describe('createLogger redacts PII before stdout and before the OpenTelemetry logs SDK', () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  let stdout: StdoutLines;
  let logger: ReturnType<typeof createLogger>;

  beforeAll(() => logs.setGlobalLoggerProvider(provider as unknown as ApiLoggerProvider));
  afterAll(async () => {
    logs.disable();
    await provider.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    stdout = new StdoutLines();
    // The transport the winston instrumentation adds when telemetry runs: it reads the record after the logger's format.
    logger = createLogger({ serviceName: 'redaction-spec' }).add(stdout).add(new OpenTelemetryTransportV3());
  });

  const sent = () => JSON.stringify(exporter.getFinishedLogRecords().map((r) => ({ body: r.body, attributes: r.attributes })));

  it('in the message and in nested metadata, without touching the caller’s objects', () => {
    const meta = { user: { email, cards: [card] }, order: { id: 'o-1' } };
    logger.info(`order for ${email} paid with ${card}`, meta);

    expect(stdout.lines).toHaveLength(1);
    expect(stdout.lines[0]).not.toContain(email);
    expect(stdout.lines[0]).not.toContain(card);
    expect(JSON.parse(stdout.lines[0])).toMatchObject({
      message: 'order for [REDACTED_EMAIL] paid with [REDACTED_CARD]',
      user: { email: '[REDACTED_EMAIL]', cards: ['[REDACTED_CARD]'] },
      order: { id: 'o-1' },
    });
    expect(sent()).not.toContain(email);
    expect(sent()).not.toContain(card);
    expect(sent()).toContain('[REDACTED_EMAIL]');
    expect(meta).toEqual({ user: { email, cards: [card] }, order: { id: 'o-1' } });
  });

  it('in a record object the caller passes whole', () => {
    const record = { level: 'warn', message: `retrying for ${email}`, attempt: 2 };
    logger.log(record);
    expect(stdout.lines[0]).not.toContain(email);
    expect(record.message).toBe(`retrying for ${email}`);
  });

  it('in errors: their message, stack and cause reach neither stdout nor the exported exception', () => {
    const error = new Error(`declined ${card} for ${email}`, { cause: new Error(`owner ${email}`) });
    logger.error('payment failed', { error });
    logger.error('payment failed again', error);
    const exported = JSON.stringify(exporter.getFinishedLogRecords().map((r) => r.attributes));
    expect(exported).toContain('[REDACTED_CARD]');
    expect(exported).not.toContain(email);
    expect(exported).not.toContain(card);
    expect(stdout.lines.join('\n')).not.toContain(email);
    expect(error.message).toContain(email);
  });

  it('keeps timestamps, ids and non-card numbers', () => {
    logger.info('settled', { at: 1733119790124, orderId: '123e4567-e89b-12d3-a456-426614174000', reference: '4000000000000000' });
    expect(JSON.parse(stdout.lines[0])).toMatchObject({
      at: 1733119790124,
      orderId: '123e4567-e89b-12d3-a456-426614174000',
      reference: '4000000000000000',
    });
  });

  it('withholds a record it cannot redact instead of writing it in clear or throwing', () => {
    const meta = {
      contact: {
        get email(): string {
          throw new Error('unreadable');
        },
      },
    };
    expect(() => logger.info(`for ${email}`, meta)).not.toThrow();
    expect(JSON.parse(stdout.lines[0])).toMatchObject({ level: 'info', message: 'log record withheld: PII redaction failed' });
    expect(sent()).not.toContain(email);
  });
});
