import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseTraceParent } from '@opentelemetry/core';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { decodeEvent, deadLetterTopic, OrderCancelledV1, TOPICS } from '@tracehop/contracts';
import { endpoints, jaegerTrace, type JaegerTrace } from '../support/backends';
import { eventually } from '../support/eventually';
import { kafkaBrokers } from '../support/kafka-source';
import { launchService, stopService, waitUntilReady, type RunningService } from '../support/services';
import { traceView } from '../support/trace-shape';

const ROOT = join(__dirname, '..', '..');
const header = (message: KafkaMessage, name: string) => message.headers?.[name]?.toString();

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run --silent produce -- …`, exactly as a user types it; resolves with how it ended, failure included. */
function produceCli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'produce', '--', ...args],
      { cwd: ROOT, env: { ...process.env, KAFKA_BROKERS: kafkaBrokers() } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

interface SentLine {
  topic: string;
  key: string;
  event: string;
  trace: string;
  traceparent?: string;
  poison: boolean;
}

/** The per-message lines of stdout: `sent <topic> key=… event=… partition=… offset=… trace=…[ traceparent=…][ poison]`. */
function sentLines(run: CliRun): SentLine[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('sent '))
    .map((line) => {
      const [, topic, ...tokens] = line.split(' ');
      const fields = Object.fromEntries(tokens.map((token) => token.split('=') as [string, string?]));
      return {
        topic,
        key: fields.key!,
        event: fields.event!,
        trace: fields.trace!,
        traceparent: fields.traceparent,
        poison: 'poison' in fields,
      };
    });
}

/**
 * Records of a topic written after this call, by message-id. The start offsets are the topic's
 * high watermarks now, so nothing produced later can be missed however long the group takes to
 * join (a fresh group reads from the beginning and skips what is older).
 */
async function recordsFrom(kafka: Kafka, topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  // On a new broker nothing may have created it yet (services create their topics as they boot, and
  // the payment-service this spec starts is still booting): create it as they would; false if it exists.
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  const start = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, BigInt(high)]));
  await admin.disconnect();
  const records = new Map<string, KafkaMessage>();
  const consumer = kafka.consumer({ groupId: `produce-spec-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (BigInt(message.offset) < (start.get(partition) ?? 0n)) return;
      records.set(header(message, 'message-id') ?? `${partition}:${message.offset}`, message);
    },
  });
  return {
    /** Waits until a record matching `match` (or with this message-id) has arrived. */
    find: (what: string, match: string | ((message: KafkaMessage) => boolean)) =>
      eventually(what, 30, async () => (typeof match === 'string' ? records.get(match) : [...records.values()].find(match))),
    stop: () => consumer.disconnect(),
  };
}

/** The trace once Jaeger has every span named (the gateway's tail sampling waits a few seconds per trace). */
function traceWith(traceId: string, names: string[]): Promise<JaegerTrace> {
  return eventually(`trace ${traceId} with ${names.join(', ')}`, 40, async () => {
    const found = await jaegerTrace(traceId);
    return found && names.every((name) => found.spans.some((span) => span.operationName === name)) ? found : undefined;
  });
}

/**
 * The outside producer (npm run produce) against the real broker and Jaeger. Records go to
 * orders.order-cancelled.v1, which no service consumes, so runs of other specs are untouched;
 * the last test starts a payment-service of its own to show what consumers make of them.
 */
describe('npm run produce (real broker, Jaeger, payment-service)', () => {
  const kafka = new Kafka({ clientId: 'produce-spec', brokers: kafkaBrokers().split(','), logLevel: logLevel.NOTHING });
  const topic = TOPICS.orderCancelled;
  let topicRecords: Awaited<ReturnType<typeof recordsFrom>>;
  let runs: Record<'traced' | 'untraced' | 'malformed' | 'poison' | 'load', CliRun>;
  let payment: RunningService | undefined;

  beforeAll(async () => {
    // A payment-service of our own (3303, not the harness' 3103) for the last test, booting meanwhile.
    // It joins the shared consumer groups; whichever instance consumes, the assertions read shared state.
    payment = { ...launchService('payment-service', { PORT: '3303' }), url: 'http://127.0.0.1:3303' };
    topicRecords = await recordsFrom(kafka, topic);
    // Independent runs, side by side: each is a process of its own, as a user would start them.
    const [traced, untraced, malformed, poison, load] = await Promise.all([
      produceCli('--topic', 'order-cancelled', '--count', '2'),
      produceCli('--topic', topic, '--no-traceparent'),
      produceCli('--topic', 'order-cancelled', '--malformed-traceparent'),
      produceCli('--topic', 'order-cancelled', '--poison'),
      produceCli('--topic', 'order-cancelled', '--count', '200', '--rate', '100', '--json'),
    ]);
    runs = { traced, untraced, malformed, poison, load };
  });

  afterAll(async () => {
    await topicRecords?.stop();
    if (payment) await stopService(payment);
  });

  it('traceparent (default): each record carries the printed trace, and Jaeger shows produce → send under it', async () => {
    expect(runs.traced).toMatchObject({ code: 0 });
    const lines = sentLines(runs.traced);
    expect(lines).toHaveLength(2);
    expect(new Set(lines.map((line) => line.trace)).size).toBe(2); // a new trace per message
    for (const line of lines) {
      expect(line).toMatchObject({ topic, trace: expect.stringMatching(/^[0-9a-f]{32}$/), poison: false });
      const record = await topicRecords.find(`record ${line.event}`, line.event);
      const traceparent = parseTraceParent(header(record, 'traceparent') ?? '');
      expect(traceparent?.traceId).toBe(line.trace);
      expect(record.key?.toString()).toBe(line.key);
      const event = decodeEvent(OrderCancelledV1, record.value);
      expect(event).toMatchObject({ eventId: line.event, orderId: line.key });

      const view = traceView(await traceWith(line.trace, [`produce ${topic}`, `send ${topic}`]));
      const [produce] = view.find('demo-producer', `produce ${topic}`);
      const [send] = view.find('demo-producer', `send ${topic}`);
      expect(view.parentId(produce)).toBeUndefined();
      expect(view.tag(produce, 'span.kind')).toBe('internal');
      expect(view.parentId(send)).toBe(produce.spanID);
      expect(view.tag(send, 'messaging.message.id')).toBe(line.event);
      // The header is the send span's context: a consumer's process span would be its child.
      expect(traceparent?.spanId).toBe(send.spanID);
    }
  });

  it('--no-traceparent: the record carries no trace context at all', async () => {
    expect(runs.untraced).toMatchObject({ code: 0 });
    const [line] = sentLines(runs.untraced);
    expect(line.trace).toBe('none');
    const record = await topicRecords.find(`record ${line.event}`, line.event);
    expect(Object.keys(record.headers ?? {}).sort()).toEqual(['content-type', 'message-id', 'tracehop-produced-at']);
    expect(runs.untraced.stderr).toContain('no trace context');
  });

  it('--malformed-traceparent: the record carries the printed traceparent, which the W3C parser refuses', async () => {
    expect(runs.malformed).toMatchObject({ code: 0 });
    const [line] = sentLines(runs.malformed);
    expect(line).toMatchObject({ trace: 'none', traceparent: expect.stringMatching(/^00-/) });
    const record = await topicRecords.find(`record ${line.event}`, line.event);
    expect(header(record, 'traceparent')).toBe(line.traceparent);
    expect(parseTraceParent(line.traceparent!)).toBeNull();
    expect(runs.malformed.stderr).toContain('tracehop.propagation.broken');
  });

  it('--poison: the value is not JSON; the record still carries key, message-id and the printed trace', async () => {
    expect(runs.poison).toMatchObject({ code: 0 });
    const [line] = sentLines(runs.poison);
    expect(line).toMatchObject({ poison: true, trace: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const record = await topicRecords.find(`record ${line.event}`, line.event);
    expect(() => JSON.parse(record.value?.toString() ?? '')).toThrow(SyntaxError);
    expect(record.key?.toString()).toBe(line.key);
    expect(parseTraceParent(header(record, 'traceparent') ?? '')?.traceId).toBe(line.trace);
  });

  it('load mode: --count 200 --rate 100 --json reports 200 sent in about 2 s, and only JSON on stdout', async () => {
    expect(runs.load).toMatchObject({ code: 0 });
    const summary = JSON.parse(runs.load.stdout);
    expect(summary).toMatchObject({
      topic,
      requested: 200,
      targetRatePerSecond: 100,
      sent: 200,
      failed: 0,
      interrupted: false,
      errors: {},
    });
    // Paced at 100/s, 200 messages cannot go in much less than 2 s; the upper bound is loose (a busy machine).
    expect(summary.elapsedSeconds).toBeGreaterThan(1.8);
    expect(summary.elapsedSeconds).toBeLessThan(15);
    expect(summary.ackLatencyMillis).toEqual({ p50: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) });
    expect(summary.ackLatencyMillis.p50).toBeLessThanOrEqual(summary.ackLatencyMillis.p99);
    expect(runs.load.stderr).toMatch(/sent \d+\/200/); // the progress line
  });

  it('rejects bad options naming them, before connecting to anything', async () => {
    const run = await produceCli('--topic', 'orders', '--count', '0');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: --topic: unknown topic');
    expect(run.stderr).toContain('error: --count: must be at least 1');
    expect(run.stdout).toBe('');
  });

  it('consumers: a malformed traceparent is processed under a new trace marked broken; poison is dead-lettered with its trace', async () => {
    await waitUntilReady(payment!);
    const dlq = await recordsFrom(kafka, deadLetterTopic('payment-service'));
    try {
      // A user with wallets first (payment-service.accounts opens them), so the charge need not wait for one.
      const userId = randomUUID();
      expect((await produceCli('--topic', 'user-registered', '--user-id', userId)).code).toBe(0);
      const [broken, poison] = await Promise.all([
        produceCli('--topic', 'order-created', '--user-id', userId, '--amount-minor', '100', '--malformed-traceparent'),
        produceCli('--topic', 'order-created', '--poison'),
      ]);
      const [order] = sentLines(broken);
      const [poisoned] = sentLines(poison);

      // The record was processed (by whichever payment-service instance): the order has a payment.
      const payments = await eventually(`payment for order ${order.key}`, 30, async () => {
        const found = (await (await fetch(`${payment!.url}/payments?orderId=${order.key}`)).json()) as { status: string }[];
        return found.length ? found : undefined;
      });
      expect(payments).toHaveLength(1);

      // …under a trace of its own, the process span a root marked as a broken hop.
      const tags = JSON.stringify({ 'tracehop.propagation.broken': 'malformed_traceparent', 'messaging.message.id': order.event });
      const url = `${endpoints.jaeger}/api/traces?service=payment-service&tags=${encodeURIComponent(tags)}&lookback=1h&limit=5`;
      const trace = await eventually(`payment-service trace of event ${order.event}`, 40, async () => {
        const body = (await (await fetch(url)).json()) as { data?: JaegerTrace[] };
        return body.data?.find((t) => t.spans.some((span) => span.operationName === `process ${TOPICS.orderCreated}`));
      });
      const view = traceView(trace);
      const [processed] = view.find(
        'payment-service',
        `process ${TOPICS.orderCreated}`,
        (span) => view.tag(span, 'messaging.message.id') === order.event,
      );
      expect(view.tag(processed, 'tracehop.propagation.broken')).toBe('malformed_traceparent');
      expect(view.parentId(processed)).toBeUndefined();
      expect(trace.traceID).not.toBe(order.traceparent!.split('-')[1]);
      expect(view.find('payment-service', 'charge payment').length).toBeGreaterThanOrEqual(1);

      // The poison record reached the group's dead-letter topic as sent, keeping the printed trace as its origin.
      const parked = await dlq.find(`dead letter of ${poisoned.event}`, poisoned.event);
      expect(parked.key?.toString()).toBe(poisoned.key);
      expect(header(parked, 'tracehop-origin-traceparent')).toContain(poisoned.trace);
      expect(header(parked, 'tracehop-error')).toContain('not JSON');
      expect(() => JSON.parse(parked.value?.toString() ?? '')).toThrow(SyntaxError);
    } finally {
      await dlq.stop();
    }
  });
});
