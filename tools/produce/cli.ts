/**
 * `npm run produce -- [options]`: the command line of the outside producer. Parsing (commander)
 * and wiring only: options.ts validates, producer.ts sends, report.ts prints. commander is an ES
 * module, which Jest's CommonJS runtime cannot load, so nothing a spec imports may import it.
 *
 * Runs with the telemetry preload (see package.json), so kafkajs is instrumented before it loads:
 * OTEL_SERVICE_NAME=demo-producer node --require tsx/cjs --require ./libs/telemetry/src/register.ts tools/produce/cli.ts
 */
import '../../infra/stack/src/quiet-timer-warning';
import { Command, Option } from 'commander';
// The same module file the preload started, so this flushes that SDK (relative: see options.ts).
import { shutdownTelemetry } from '../../libs/telemetry/src';
import { parseProduceOptions, ProduceOptionsError, TOPIC_ALIASES, type ProduceOptions, type RawProduceOptions } from './options';
import { produce, ProducerConnectError } from './producer';
import { TerminalReport } from './report';

const EXAMPLES = `
Topics (alias: topic):${Object.entries(TOPIC_ALIASES)
  .map(([alias, topic]) => `\n  ${alias.padEnd(18)} ${topic}`)
  .join('')}

Output: one line per message on stdout (key=, event=, trace=); notes, progress and the summary on
stderr; with --json, the summary alone on stdout. Exit code 0; 1 when a send failed or nothing was
sent; 130 after Ctrl-C.

Examples:
  # announce a user (as a partner system that registers users would): payment-service opens its wallets
  npm run produce -- --topic user-registered --user-id "$USER_ID"

  # an order for that user: payment-service charges it. (For a user without wallets, the charge
  # holds its partition of group payment-service for PAYMENT_ACCOUNT_WAIT_MS, 30 s, then fails.)
  npm run produce -- --topic order-created --user-id "$USER_ID" --amount-minor 2500 --currency GBP

  # a confirmation for a real user (registered through user-service): it counts in GET /users/:id
  npm run produce -- --topic order-confirmed --user-id "$USER_ID"

  # a record without trace context, and one whose traceparent consumers must reject
  npm run produce -- --topic user-registered --no-traceparent
  npm run produce -- --topic order-created --user-id "$USER_ID" --malformed-traceparent

  # an unparseable record: the consuming groups dead-letter it, keeping the trace printed here
  npm run produce -- --topic order-created --poison

  # load: 100 messages/s for 30 s (order-cancelled has no consumer), summary as JSON for a script
  npm run --silent produce -- --topic order-cancelled --rate 100 --duration 30 --json
`;

const program = new Command('produce')
  .description('An outside producer writing straight to Kafka, as a partner system would, instrumented with @tracehop/telemetry')
  .addOption(new Option('--topic <name>', 'topic alias or full topic name (required)'))
  .addOption(new Option('--count <n>', 'messages to send (default 1; unlimited with --duration alone)'))
  .addOption(new Option('--rate <per-second>', 'messages per second (default: the next as soon as the previous is acknowledged)'))
  .addOption(new Option('--duration <seconds>', 'stop after this long (or at --count, whichever comes first)'))
  .addOption(new Option('--brokers <host:port,...>', 'Kafka brokers (default KAFKA_BROKERS, else 127.0.0.1:9092)'))
  .addOption(new Option('--traceparent', 'each message in a new trace whose traceparent it carries (default)'))
  .addOption(new Option('--no-traceparent', 'no trace context: consumers start a new trace'))
  .addOption(
    new Option('--malformed-traceparent', 'a traceparent consumers reject: they start a new trace marked tracehop.propagation.broken'),
  )
  .addOption(new Option('--poison', 'an unparseable value instead of an event: consumers send it to their dead-letter topic'))
  .addOption(new Option('--user-id <uuid>', 'the user the events are about (default: a fresh UUID per message)'))
  .addOption(new Option('--order-id <uuid>', 'the order the events are about (default: a fresh UUID per message)'))
  .addOption(new Option('--amount-minor <n>', 'amount in minor units (cents), 0-100000000 (default 1000)'))
  .addOption(new Option('--currency <code>', 'EUR, USD or GBP (default EUR)'))
  .addOption(new Option('--json', 'print only the summary, as JSON, on stdout'))
  .addOption(new Option('--quiet', 'no line per message'))
  .addHelpText('after', EXAMPLES)
  .showHelpAfterError('(npm run produce -- --help for usage)')
  .allowExcessArguments(false);

/** The first Ctrl-C stops sending and lets the run finish cleanly (summary, disconnect, flush); a second quits at once. */
function abortOnSignals(controller: AbortController): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${signal}: stopping after the messages in flight (again to quit at once)\n`);
    controller.abort();
  };
  // Our own SIGTERM listener also tells the telemetry preload to wait for shutdownTelemetry() below.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function run(options: ProduceOptions): Promise<number> {
  const controller = new AbortController();
  abortOnSignals(controller);
  const report = new TerminalReport(options, {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    outIsTty: Boolean(process.stdout.isTTY),
    errIsTty: Boolean(process.stderr.isTTY),
  });
  report.start();
  const summary = await produce(options, report, controller.signal);
  report.finish(summary);
  if (summary.failed > 0) return 1;
  if (summary.interrupted) return 130;
  return summary.sent === 0 ? 1 : 0;
}

async function main(): Promise<number> {
  program.parse();
  let options: ProduceOptions;
  try {
    options = parseProduceOptions(program.opts<RawProduceOptions>(), process.env);
  } catch (error) {
    if (!(error instanceof ProduceOptionsError)) throw error;
    for (const problem of error.problems) process.stderr.write(`error: ${problem}\n`);
    process.stderr.write('(npm run produce -- --help for usage)\n');
    return 1;
  }
  try {
    return await run(options);
  } catch (error) {
    if (!(error instanceof ProducerConnectError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
}

void main()
  .catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  })
  // Spans of the last sends are still in the batch processor: flush them (bounded) before leaving.
  .then(async (code) => {
    await shutdownTelemetry();
    process.exitCode = code;
    // Anything that still holds the event loop (a kafkajs timer) must not keep a finished CLI alive.
    setTimeout(() => process.exit(code), 2000).unref();
  });
