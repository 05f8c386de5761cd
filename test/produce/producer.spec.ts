import { parseTraceParent } from '@opentelemetry/core';
import type { Producer, ProducerRecord } from 'kafkajs';
import { TOPICS } from '@tracehop/contracts';
import { buildEvent } from '../../tools/produce/events';
import { parseProduceOptions, type RawProduceOptions } from '../../tools/produce/options';
import {
  malformedTraceparent,
  percentile,
  sendLoop,
  sendRecord,
  type ProduceReporter,
  type SendOutcome,
} from '../../tools/produce/producer';
import { messageLine, summaryLines } from '../../tools/produce/report';

const record = () => buildEvent(TOPICS.orderCancelled, { amountMinor: 100, currency: 'EUR' });
const options = (raw: Omit<RawProduceOptions, 'topic'>) => parseProduceOptions({ topic: 'order-cancelled', ...raw });

/** A send that takes `millis` and fails when told to, counting how many run at once. */
function fakeSend(millis: number, fail = () => false) {
  const state = { calls: 0, concurrent: 0, maxConcurrent: 0 };
  const send = async (): Promise<SendOutcome> => {
    state.calls++;
    state.maxConcurrent = Math.max(state.maxConcurrent, ++state.concurrent);
    await new Promise((resolve) => setTimeout(resolve, millis));
    state.concurrent--;
    return fail()
      ? { record: record(), ackMillis: NaN, error: new Error('broker said no') }
      : { record: record(), ackMillis: millis, partition: 0, offset: '1' };
  };
  return { send, state };
}

function collecting(): ProduceReporter & { outcomes: SendOutcome[]; progress: number } {
  const reporter = {
    outcomes: [] as SendOutcome[],
    progress: 0,
    onOutcome: (o: SendOutcome) => void reporter.outcomes.push(o),
    onProgress: () => void reporter.progress++,
  };
  return reporter;
}

describe('npm run produce: send loop', () => {
  it('without --rate, one message at a time: the next goes when the previous is acknowledged', async () => {
    const { send, state } = fakeSend(5);
    const reporter = collecting();
    const summary = await sendLoop(options({ count: '5' }), send, reporter, new AbortController().signal);
    expect(state).toMatchObject({ calls: 5, maxConcurrent: 1 });
    expect(summary).toMatchObject({ sent: 5, failed: 0, requested: 5, interrupted: false, errors: {} });
    expect(summary.ackLatencyMillis).toEqual({ p50: 5, p99: 5, max: 5 });
    expect(reporter.outcomes).toHaveLength(5);
  });

  it('with --rate, paces the sends (and overlaps them when acks are slower than the rate)', async () => {
    const { send, state } = fakeSend(60);
    const summary = await sendLoop(options({ count: '10', rate: '100' }), send, collecting(), new AbortController().signal);
    expect(summary.sent).toBe(10);
    // 10 slots 10 ms apart, the last acknowledged 60 ms after it went: about 150 ms.
    expect(summary.elapsedSeconds).toBeGreaterThanOrEqual(0.14);
    expect(summary.elapsedSeconds).toBeLessThan(1);
    expect(state.maxConcurrent).toBeGreaterThan(1);
  });

  it('--duration stops a run that --count would not have ended yet', async () => {
    const { send } = fakeSend(1);
    const reporter = collecting();
    const summary = await sendLoop(options({ duration: '1.2', rate: '10' }), send, reporter, new AbortController().signal);
    expect(summary.requested).toBeNull();
    expect(summary.sent).toBeGreaterThanOrEqual(11);
    expect(summary.sent).toBeLessThanOrEqual(13);
    expect(reporter.progress).toBeGreaterThanOrEqual(1);
  });

  it('counts failures by message and goes on', async () => {
    let n = 0;
    const { send } = fakeSend(1, () => ++n % 2 === 0);
    const summary = await sendLoop(options({ count: '6' }), send, collecting(), new AbortController().signal);
    expect(summary).toMatchObject({ sent: 3, failed: 3, errors: { 'broker said no': 3 } });
  });

  it('an abort (Ctrl-C) stops sending, waits for what is in flight and says it was interrupted', async () => {
    const { send } = fakeSend(20);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const summary = await sendLoop(options({ count: '1000', rate: '50' }), send, collecting(), controller.signal);
    expect(summary.interrupted).toBe(true);
    expect(summary.sent).toBeGreaterThanOrEqual(5);
    expect(summary.sent).toBeLessThan(20);
    expect(summary.failed).toBe(0);
  });

  it('percentiles are nearest-rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 99), percentile(values, 100), percentile([7], 99)]).toEqual([50, 99, 100, 7]);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('npm run produce: trace modes at the send', () => {
  /** A producer that only records what it was asked to send. */
  function recordingProducer() {
    const sent: ProducerRecord[] = [];
    const producer = {
      send: async (r: ProducerRecord) => (sent.push(r), [{ topicName: r.topic, partition: 2, errorCode: 0, baseOffset: '41' }]),
    } as unknown as Producer;
    return { producer, sent };
  }

  it('the malformed traceparent is one the W3C parser (what consumers use) refuses', () => {
    for (let i = 0; i < 20; i++) expect(parseTraceParent(malformedTraceparent())).toBeNull();
  });

  it('--no-traceparent sends the event headers only; --malformed-traceparent adds its broken header', async () => {
    const { producer, sent } = recordingProducer();
    const none = await sendRecord(producer, record(), 'none');
    const malformed = await sendRecord(producer, record(), 'malformed');
    expect(sent[0].messages[0].headers).toEqual({ 'message-id': none.record.eventId, 'content-type': 'application/json' });
    expect(sent[1].messages[0].headers).toEqual({
      'message-id': malformed.record.eventId,
      'content-type': 'application/json',
      traceparent: malformed.sentTraceparent,
    });
    expect(malformed).toMatchObject({ partition: 2, offset: '41' });
    expect(malformed.traceId).toBeUndefined();
    expect(sent[1].messages[0].key).toBe(malformed.record.key);
  });

  it('a failed send comes back as an outcome (the loop counts it), in every mode', async () => {
    const producer = { send: async () => Promise.reject(new Error('no leader')) } as unknown as Producer;
    for (const mode of ['traceparent', 'none', 'malformed'] as const) {
      expect((await sendRecord(producer, record(), mode)).error?.message).toBe('no leader');
    }
  });

  it('prints one grep-able line per message', () => {
    const r = record();
    expect(messageLine({ record: r, ackMillis: 1, partition: 1, offset: '7', traceId: 'abc' }, { poison: false })).toBe(
      `sent ${TOPICS.orderCancelled} key=${r.key} event=${r.eventId} partition=1 offset=7 trace=abc`,
    );
    expect(messageLine({ record: r, ackMillis: 1, sentTraceparent: '00-x' }, { poison: true })).toBe(
      `sent ${TOPICS.orderCancelled} key=${r.key} event=${r.eventId} trace=none traceparent=00-x poison`,
    );
    expect(
      summaryLines({
        topic: 't',
        traceMode: 'traceparent',
        poison: false,
        requested: 2,
        targetRatePerSecond: 100,
        durationSeconds: null,
        sent: 1,
        failed: 1,
        elapsedSeconds: 0.02,
        ratePerSecond: 50,
        ackLatencyMillis: { p50: 1, p99: 2, max: 2 },
        interrupted: false,
        errors: { boom: 1 },
      }),
    ).toEqual(['sent 1, failed 1 to t in 0.02 s (50/s, target 100/s)', 'ack latency p50 1 ms, p99 2 ms, max 2 ms', 'failures: 1× boom']);
  });
});
