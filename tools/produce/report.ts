/**
 * What the producer prints. stdout carries one line per message (key=value fields, so `grep`
 * and scripts can pick trace and event ids) or, with --json, the summary alone; everything meant
 * for the person at the terminal (mode notes, progress, failures, the text summary) goes to stderr.
 */
import type { ProduceOptions } from './options';
import type { ProduceReporter, ProduceSummary, ProgressSnapshot, SendOutcome } from './producer';

export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  outIsTty: boolean;
  errIsTty: boolean;
}

/** Beyond this many, failures are only counted (a broker outage would otherwise flood the terminal). */
const FAILURE_LINES = 10;

const CLEAR_LINE = '\r\x1b[2K';

/** The per-message line: `sent <topic> key=… event=… partition=… offset=… trace=…[ traceparent=…][ poison]`. */
export function messageLine(outcome: SendOutcome, options: Pick<ProduceOptions, 'poison'>): string {
  const { record } = outcome;
  const fields = [`key=${record.key}`, `event=${record.eventId}`];
  if (outcome.partition !== undefined) fields.push(`partition=${outcome.partition}`);
  if (outcome.offset !== undefined) fields.push(`offset=${outcome.offset}`);
  fields.push(`trace=${outcome.traceId ?? 'none'}`);
  if (outcome.sentTraceparent) fields.push(`traceparent=${outcome.sentTraceparent}`);
  if (options.poison) fields.push('poison');
  return `${outcome.error ? 'failed' : 'sent'} ${record.topic} ${fields.join(' ')}`;
}

/** One-time explanation of what the chosen mode does downstream, so a demo audience knows what to look for. */
function modeNotes(options: ProduceOptions): string[] {
  const notes: string[] = [];
  if (options.traceMode === 'none')
    notes.push('--no-traceparent: records carry no trace context; each consumer starts a new trace for them.');
  if (options.traceMode === 'malformed') {
    notes.push(
      '--malformed-traceparent: records carry a traceparent consumers must reject; they process each one under a new trace',
      'marked tracehop.propagation.broken=malformed_traceparent. Find it in Jaeger by tag messaging.message.id=<event>.',
    );
  }
  if (options.poison) {
    notes.push(
      '--poison: values are not JSON; each consumer group sends them to <group>.dlq, where',
      'tracehop-origin-traceparent keeps the trace printed here (none without trace context).',
    );
  }
  return notes;
}

function progressLine(snapshot: ProgressSnapshot, options: Pick<ProduceOptions, 'count'>): string {
  const of = Number.isFinite(options.count) ? `/${options.count}` : '';
  return `sent ${snapshot.sent}${of}  ${snapshot.ratePerSecond.toFixed(1)}/s  failed ${snapshot.failed}  in flight ${snapshot.inFlight}  ${snapshot.elapsedSeconds.toFixed(1)} s`;
}

export function summaryLines(summary: ProduceSummary): string[] {
  const target = summary.targetRatePerSecond === null ? '' : `, target ${summary.targetRatePerSecond}/s`;
  const lines = [
    `sent ${summary.sent}, failed ${summary.failed} to ${summary.topic} in ${summary.elapsedSeconds.toFixed(2)} s (${summary.ratePerSecond}/s${target})`,
  ];
  if (summary.ackLatencyMillis) {
    const { p50, p99, max } = summary.ackLatencyMillis;
    lines.push(`ack latency p50 ${p50} ms, p99 ${p99} ms, max ${max} ms`);
  }
  for (const [message, count] of Object.entries(summary.errors)) lines.push(`failures: ${count}× ${message}`);
  if (summary.interrupted) lines.push('interrupted before the count or duration was reached');
  return lines;
}

/** The reporter the send loop calls, printing to the terminal as described above. */
export class TerminalReport implements ProduceReporter {
  private failuresShown = 0;
  private warnedNoTelemetry = false;
  private progressShown = false;

  constructor(
    private readonly options: ProduceOptions,
    private readonly terminal: Terminal,
  ) {}

  /** Progress rewrites one stderr line only when no per-message line lands on the same terminal. */
  private get progressInPlace(): boolean {
    return this.terminal.errIsTty && (this.options.quiet || !this.terminal.outIsTty);
  }

  private clearProgress(): void {
    if (this.progressShown && this.progressInPlace) this.terminal.err(CLEAR_LINE);
    this.progressShown = false;
  }

  start(): void {
    for (const note of modeNotes(this.options)) this.terminal.err(`${note}\n`);
  }

  onOutcome(outcome: SendOutcome): void {
    if (this.options.traceMode === 'traceparent' && !outcome.traceId && !this.warnedNoTelemetry) {
      this.warnedNoTelemetry = true;
      this.clearProgress();
      this.terminal.err(
        'warning: telemetry is not running (OTEL_SDK_DISABLED, or started without the preload): records carry no traceparent\n',
      );
    }
    if (outcome.error) {
      if (this.failuresShown < FAILURE_LINES) {
        this.clearProgress();
        this.terminal.err(`${messageLine(outcome, this.options)}: ${outcome.error.message}\n`);
      } else if (this.failuresShown === FAILURE_LINES) {
        this.clearProgress();
        this.terminal.err(`(further failures are counted in the summary)\n`);
      }
      this.failuresShown++;
      return;
    }
    if (!this.options.quiet) this.terminal.out(`${messageLine(outcome, this.options)}\n`);
  }

  onProgress(snapshot: ProgressSnapshot): void {
    const line = progressLine(snapshot, this.options);
    this.terminal.err(this.progressInPlace ? `${CLEAR_LINE}${line}` : `${line}\n`);
    this.progressShown = true;
  }

  finish(summary: ProduceSummary): void {
    this.clearProgress();
    if (this.options.json) this.terminal.out(`${JSON.stringify(summary)}\n`);
    else for (const line of summaryLines(summary)) this.terminal.err(`${line}\n`);
  }
}
