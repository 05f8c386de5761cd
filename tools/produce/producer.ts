/**
 * The send loop of the outside producer: one kafkajs producer (instrumented by the telemetry
 * preload, like any partner system running our library), records sent in the chosen trace mode,
 * paced to a rate or as fast as acknowledgements come, bounded by count, duration or an abort,
 * with the counts and acknowledgement latencies the summary reports.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, isSpanContextValid, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_MESSAGING_DESTINATION_NAME, ATTR_MESSAGING_MESSAGE_ID } from '@opentelemetry/semantic-conventions/incubating';
import { Kafka, logLevel, Partitioners, type Producer, type RecordMetadata } from 'kafkajs';
import { buildRecord, type OutgoingRecord } from './events';
import type { ProduceOptions, TraceMode } from './options';

const CLIENT_ID = 'demo-producer';

/** With --rate, sends overlap so a slow acknowledgement does not lower the rate; this bounds how many wait at once. */
const MAX_IN_FLIGHT = 512;

export interface SendOutcome {
  record: OutgoingRecord;
  /** The trace the record's traceparent belongs to (traceparent mode with telemetry running). */
  traceId?: string;
  /** The traceparent header we sent ourselves (malformed mode). */
  sentTraceparent?: string;
  ackMillis: number;
  partition?: number;
  offset?: string;
  error?: Error;
}

export interface ProgressSnapshot {
  sent: number;
  failed: number;
  inFlight: number;
  elapsedSeconds: number;
  ratePerSecond: number;
}

export interface ProduceSummary {
  topic: string;
  traceMode: TraceMode;
  poison: boolean;
  /** null: bounded by --duration (or Ctrl-C) only. */
  requested: number | null;
  targetRatePerSecond: number | null;
  durationSeconds: number | null;
  sent: number;
  failed: number;
  elapsedSeconds: number;
  /** Acknowledged messages per second over the whole run. */
  ratePerSecond: number;
  /** Send call → broker acknowledgement, over acknowledged messages; null when none was. */
  ackLatencyMillis: { p50: number; p99: number; max: number } | null;
  /** Stopped by Ctrl-C / SIGTERM before count or duration was reached. */
  interrupted: boolean;
  /** Failure message → how many sends failed with it. */
  errors: Record<string, number>;
}

export interface ProduceReporter {
  /** Called once per message, when its send settled (out of order with --rate). */
  onOutcome(outcome: SendOutcome): void;
  /** About once a second in load mode. */
  onProgress(snapshot: ProgressSnapshot): void;
}

/** A producer could not connect at all: nothing was sent. */
export class ProducerConnectError extends Error {
  constructor(brokers: string[], cause: unknown) {
    super(`cannot connect to Kafka at ${brokers.join(',')}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ProducerConnectError';
  }
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Counts and latencies of one run. Every latency is kept: a run of a million messages costs a few MB. */
class SendStats {
  sent = 0;
  failed = 0;
  inFlight = 0;
  private readonly latencies: number[] = [];
  private readonly errors = new Map<string, number>();

  constructor(private readonly startedAt: number) {}

  record(outcome: SendOutcome): void {
    if (outcome.error) {
      this.failed++;
      const message = outcome.error.message || outcome.error.name;
      this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
    } else {
      this.sent++;
      this.latencies.push(outcome.ackMillis);
    }
  }

  snapshot(now: number): ProgressSnapshot {
    const elapsedSeconds = (now - this.startedAt) / 1000;
    return {
      sent: this.sent,
      failed: this.failed,
      inFlight: this.inFlight,
      elapsedSeconds,
      ratePerSecond: elapsedSeconds > 0 ? this.sent / elapsedSeconds : 0,
    };
  }

  summary(options: ProduceOptions, now: number, interrupted: boolean): ProduceSummary {
    const { elapsedSeconds, ratePerSecond } = this.snapshot(now);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      topic: options.topic,
      traceMode: options.traceMode,
      poison: options.poison,
      requested: Number.isFinite(options.count) ? options.count : null,
      targetRatePerSecond: options.ratePerSecond ?? null,
      durationSeconds: options.durationSeconds ?? null,
      sent: this.sent,
      failed: this.failed,
      elapsedSeconds: round(elapsedSeconds, 3),
      ratePerSecond: round(ratePerSecond, 1),
      ackLatencyMillis: sorted.length
        ? { p50: round(percentile(sorted, 50), 2), p99: round(percentile(sorted, 99), 2), max: round(sorted[sorted.length - 1], 2) }
        : null,
      interrupted,
      errors: Object.fromEntries(this.errors),
    };
  }
}

/**
 * A traceparent consumers must reject: a well-formed one cut before its flags field, the way a
 * partner's string handling truncates it. @opentelemetry/core's parseTraceParent (what the
 * consumer's instrumentation uses) refuses it, so the consumer starts a new, marked trace.
 */
export function malformedTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}`;
}

const tracer = trace.getTracer('tracehop-demo-producer');

function firstAck(metadata: RecordMetadata[]): { partition?: number; offset?: string } {
  const [ack] = metadata;
  return { partition: ack?.partition, offset: ack?.baseOffset };
}

async function timedSend(
  producer: Producer,
  record: OutgoingRecord,
  headers: Record<string, string>,
): Promise<Pick<SendOutcome, 'ackMillis' | 'partition' | 'offset'>> {
  const started = performance.now();
  const metadata = await producer.send({ topic: record.topic, messages: [{ key: record.key, value: record.value, headers }] });
  return { ackMillis: performance.now() - started, ...firstAck(metadata) };
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/**
 * One record in the chosen trace mode. Failures come back as outcomes, not throws: the loop counts
 * them and goes on, as a partner's producer would keep trying the next record.
 */
export async function sendRecord(producer: Producer, record: OutgoingRecord, mode: TraceMode): Promise<SendOutcome> {
  if (mode === 'traceparent') {
    // A root span per message: each record starts its own trace, and the instrumented send under it
    // (a `send <topic>` child span) injects that span's traceparent into the record's headers.
    return tracer.startActiveSpan(
      `produce ${record.topic}`,
      {
        kind: SpanKind.INTERNAL,
        root: true,
        attributes: { [ATTR_MESSAGING_DESTINATION_NAME]: record.topic, [ATTR_MESSAGING_MESSAGE_ID]: record.eventId },
      },
      async (span) => {
        const traceId = isSpanContextValid(span.spanContext()) ? span.spanContext().traceId : undefined;
        try {
          return { record, traceId, ...(await timedSend(producer, record, record.headers)) };
        } catch (caught) {
          const error = asError(caught);
          span.recordException(error);
          span.setAttribute(ATTR_ERROR_TYPE, error.name);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          return { record, traceId, ackMillis: NaN, error };
        } finally {
          span.end();
        }
      },
    );
  }
  // No trace context, or a broken one of ours: with tracing suppressed the instrumentation starts
  // no send span and injects nothing, so the headers leave exactly as set here.
  const sentTraceparent = mode === 'malformed' ? malformedTraceparent() : undefined;
  const headers = sentTraceparent ? { ...record.headers, traceparent: sentTraceparent } : record.headers;
  try {
    return await context.with(suppressTracing(ROOT_CONTEXT), async () => ({
      record,
      sentTraceparent,
      ...(await timedSend(producer, record, headers)),
    }));
  } catch (caught) {
    return { record, sentTraceparent, ackMillis: NaN, error: asError(caught) };
  }
}

function createProducer(brokers: string[]): Producer {
  // kafkajs' own log lines would mix with ours on stdout; its failures reach us as rejected sends.
  const kafka = new Kafka({ clientId: CLIENT_ID, brokers, logLevel: logLevel.NOTHING });
  // The partitioner the services use (Java-compatible murmur2), so a key lands where theirs do.
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
}

/** Waits until the message's slot (start + index / rate), cut short by the deadline or an abort; false if it should not be sent. */
async function waitForSlot(slotAt: number, deadline: number, signal: AbortSignal): Promise<boolean> {
  const wakeAt = Math.min(slotAt, deadline);
  const delay = wakeAt - performance.now();
  if (delay > 0) {
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return false; // aborted
    }
  }
  return !signal.aborted && slotAt < deadline && performance.now() < deadline;
}

/**
 * Sends until count, duration or the signal stops it, then waits for every send in flight, so the
 * summary accounts for every message that left. Without a rate, one message at a time: the next
 * goes when the previous is acknowledged. With a rate, message i goes at start + i / rate; a run
 * that fell behind (acknowledgements slower than the rate and MAX_IN_FLIGHT reached) catches up.
 */
export async function sendLoop(
  options: ProduceOptions,
  send: () => Promise<SendOutcome>,
  reporter: ProduceReporter,
  signal: AbortSignal,
): Promise<ProduceSummary> {
  const startedAt = performance.now();
  const stats = new SendStats(startedAt);
  const deadline = options.durationSeconds === undefined ? Infinity : startedAt + options.durationSeconds * 1000;
  const progress = options.loadMode ? setInterval(() => reporter.onProgress(stats.snapshot(performance.now())), 1000) : undefined;
  const inFlight = new Set<Promise<void>>();
  const launch = () => {
    stats.inFlight++;
    const settled = send().then((outcome) => {
      stats.inFlight--;
      stats.record(outcome);
      reporter.onOutcome(outcome);
    });
    inFlight.add(settled);
    // (The derived promise only mirrors a reporter bug, which Promise.all below reports.)
    settled.finally(() => inFlight.delete(settled)).catch(() => undefined);
    return settled;
  };
  try {
    for (let index = 0; index < options.count; index++) {
      if (signal.aborted || performance.now() >= deadline) break;
      if (options.ratePerSecond === undefined) {
        await launch();
        continue;
      }
      if (!(await waitForSlot(startedAt + (index * 1000) / options.ratePerSecond, deadline, signal))) break;
      void launch();
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(progress);
  }
  return stats.summary(options, performance.now(), signal.aborted);
}

/**
 * The whole run: connect, send, disconnect. Throws ProducerConnectError if Kafka cannot be reached;
 * failed sends are counted in the summary, never thrown.
 */
export async function produce(options: ProduceOptions, reporter: ProduceReporter, signal: AbortSignal): Promise<ProduceSummary> {
  const producer = createProducer(options.brokers);
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw new ProducerConnectError(options.brokers, error);
  }
  try {
    return await sendLoop(
      options,
      () => sendRecord(producer, buildRecord(options.topic, options.content, options.poison), options.traceMode),
      reporter,
      signal,
    );
  } finally {
    await producer.disconnect();
  }
}
