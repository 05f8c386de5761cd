import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { screenshot } from './chromium';
import { DEFAULT_JAEGER_URL } from './jaeger';
import { DEFAULT_LOG_LIMIT } from './transaction-logs';
import { DEFAULT_VICTORIALOGS_URL } from './victorialogs';
import { fetchTransaction, renderHtml, renderTerminal } from './index';

const positiveNumber =
  (what: string, { whole = false } = {}) =>
  (value: string) => {
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0 || (whole && !Number.isInteger(number)))
      throw new InvalidArgumentError(`${what} must be a positive ${whole ? 'whole ' : ''}number`);
    return number;
  };

const windowSize = (value: string) => {
  const match = /^(\d+)[x,](\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected <width>x<height>, e.g. 1400x900');
  return { width: Number(match[1]), height: Number(match[2]) };
};

interface CliOptions {
  html?: string;
  screenshot?: string;
  windowSize: { width: number; height: number };
  title?: string;
  followLinks: boolean;
  lookAround: number;
  jaeger: string;
  /** VictoriaLogs' endpoint, or false for --no-logs. */
  logs: string | false;
  logsLimit: number;
  color: boolean;
  width?: number;
}

const program = new Command('trace')
  .description(
    'One transaction across its async hops, from Jaeger: the root trace and the traces linked to it, as a waterfall, with each span’s log lines from VictoriaLogs',
  )
  .argument('<traceId>', 'the root trace (32 hex digits)')
  .option('--html <file>', 'also write the view as a self-contained HTML page')
  .option('--screenshot <png>', 'also picture the HTML view with headless chromium (Debian package `chromium`)')
  .addOption(
    new Option('--window-size <WxH>', 'window size for --screenshot')
      .argParser(windowSize)
      .default({ width: 1400, height: 900 }, '1400x900'),
  )
  .option('--title <text>', 'title of the HTML page')
  .option('--no-follow-links', 'only the root trace, no linked traces')
  .option(
    '--look-around <seconds>',
    'how far around the transaction to search for traces linking into it',
    positiveNumber('--look-around'),
    60,
  )
  .option('--jaeger <url>', "Jaeger's query endpoint", DEFAULT_JAEGER_URL)
  .option('--logs <url>', "VictoriaLogs' endpoint, for the log lines shown under their spans", DEFAULT_VICTORIALOGS_URL)
  .option('--no-logs', 'no log lines')
  .option(
    '--logs-limit <lines>',
    'most log lines read for the transaction',
    positiveNumber('--logs-limit', { whole: true }),
    DEFAULT_LOG_LIMIT,
  )
  .option('--no-color', 'no ANSI colours (they are off anyway when stdout is not a terminal)')
  .option('--width <columns>', 'line width (default: the terminal width, else 120)', positiveNumber('--width'))
  .showHelpAfterError()
  .action(async (traceId: string, options: CliOptions) => {
    const transaction = await fetchTransaction(traceId, {
      jaegerUrl: options.jaeger,
      followLinks: options.followLinks,
      lookAroundSeconds: options.lookAround,
      logs: options.logs === false ? undefined : { url: options.logs, limit: options.logsLimit },
    });
    process.stdout.write(renderTerminal(transaction, { width: options.width, color: options.color ? undefined : false }));
    if (options.html || options.screenshot) {
      const html = renderHtml(transaction, { title: options.title });
      const file = options.html
        ? resolve(options.html)
        : join(mkdtempSync(join(tmpdir(), 'trace-view-')), `${transaction.rootTraceId}.html`);
      writeFileSync(file, html);
      if (options.html) process.stderr.write(`HTML: ${file}\n`);
      if (options.screenshot) {
        await screenshot(file, options.screenshot, options.windowSize);
        process.stderr.write(`screenshot: ${resolve(options.screenshot)}\n`);
      }
    }
  });

program.parseAsync().catch((error: Error) => {
  process.stderr.write(`trace: ${error.message}\n`);
  process.exitCode = 1;
});
