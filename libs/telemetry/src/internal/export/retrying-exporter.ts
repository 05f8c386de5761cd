import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { RateLimitedWarning } from '../../logs/rate-limited-warning';
import { retryInfoDelayMillis } from './grpc-retry-info';

/** What span, log record and metric exporters have in common. */
export interface Exporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface RetryOptions {
  /**
   * The whole sequence of attempts for one batch ends within this. Keep it at or below the batch
   * processor's exportTimeoutMillis: the processor then never gives up on a batch still being sent
   * and hands over the next one while it is, so one batch is in flight at a time.
   */
  budgetMillis: number;
  /** How long one attempt can take (the exporter's own timeout): no attempt starts that could not end within the budget. */
  attemptTimeoutMillis: number;
  initialDelayMillis: number;
  maxDelayMillis: number;
}

/** Delays stay short (≤ 2 s) so that a process asked to stop is held at most that long by a pending retry. */
export const DEFAULT_RETRY_DELAYS = { initialDelayMillis: 250, maxDelayMillis: 2_000 };

/**
 * gRPC codes the OTLP specification calls retryable (CANCELLED, DEADLINE_EXCEEDED, ABORTED,
 * OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS); RESOURCE_EXHAUSTED only when the server sent RetryInfo.
 * Errors without a code are network failures.
 */
const RETRYABLE_GRPC_CODES = new Set([1, 4, 10, 11, 14, 15]);
const RESOURCE_EXHAUSTED = 8;

/** How long to wait before retrying, or undefined when the failure is not retryable. */
function retryDelay(error: unknown, backoffMillis: number): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  const asked = retryInfoDelayMillis(error);
  if (typeof code === 'number' && !RETRYABLE_GRPC_CODES.has(code) && !(code === RESOURCE_EXHAUSTED && asked !== undefined))
    return undefined;
  // The server's RetryInfo wins over backoff (OTLP: throttling); backoff has full jitter.
  return asked ?? Math.random() * backoffMillis;
}

/**
 * Retries failed exports of an exporter that does not retry itself (the OTLP gRPC exporters 0.301:
 * their transport reports every error as final; the HTTP ones retry on their own), with exponential
 * backoff and jitter, honouring a server's RetryInfo. With the agent down the gRPC exporter fails
 * after 28 ms (`14 UNAVAILABLE`) and the batch is lost, so a collector restart would lose every span
 * exported meanwhile. Memory stays bounded: the batch processor hands over one batch at a time and
 * queues at most maxQueueSize spans while a retry is pending.
 */
export class RetryingExporter<T> implements Exporter<T> {
  private stopped = false;
  private readonly pendingWaits = new Set<() => void>();
  private readonly warning = new RateLimitedWarning(30_000);

  constructor(
    private readonly inner: Exporter<T>,
    private readonly options: RetryOptions,
  ) {}

  export(items: T, resultCallback: (result: ExportResult) => void): void {
    void this.exportWithin(items, Date.now() + this.options.budgetMillis).then(resultCallback);
  }

  private async exportWithin(items: T, deadline: number): Promise<ExportResult> {
    for (let backoff = this.options.initialDelayMillis; ; backoff = Math.min(backoff * 2, this.options.maxDelayMillis)) {
      const result = await new Promise<ExportResult>((done) => this.inner.export(items, done));
      if (result.code === ExportResultCode.SUCCESS || this.stopped) return result;
      const error = result.error ?? new Error('export failed');
      const delay = retryDelay(error, backoff);
      if (delay === undefined) return result;
      if (Date.now() + delay + this.options.attemptTimeoutMillis > deadline) {
        this.warning.say(
          `telemetry export dropped a batch: no time left to retry within ${this.options.budgetMillis} ms: ${error.message}`,
        );
        return result;
      }
      this.warning.say(`telemetry export failed, retrying: ${error.message}`);
      await this.wait(delay);
      if (this.stopped) return result;
    }
  }

  /** A delay that stopRetrying() cuts short. */
  private wait(millis: number): Promise<void> {
    return new Promise((done) => {
      const wake = () => {
        clearTimeout(timer);
        this.pendingWaits.delete(wake);
        done();
      };
      const timer = setTimeout(wake, millis);
      this.pendingWaits.add(wake);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  /**
   * No more retries from now on: a batch waiting to be retried fails at once, one being sent gets
   * its current attempt. Called first on shutdown, so flushing does not wait out a retry budget.
   */
  stopRetrying(): void {
    this.stopped = true;
    for (const wake of [...this.pendingWaits]) wake();
  }

  shutdown(): Promise<void> {
    this.stopRetrying();
    return this.inner.shutdown();
  }
}
