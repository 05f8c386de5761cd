import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { retryInfoDelayMillis } from './grpc-retry-info';

/** What span, log record and metric exporters have in common. */
export interface Exporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface RetryOptions {
  /**
   * The answer for one batch comes within this, however its attempts go: keep it below the batch
   * processor's exportTimeoutMillis, so the processor never gives up on a batch still being retried.
   * An attempt still running at the end is abandoned (reported failed; a late success is ignored):
   * after a collector restart the gRPC channel reconnects on its own backoff (grpc-js: 1 s growing
   * 1.6× per failed connection), so the whole budget, not the budget minus one attempt timeout, is
   * what carries a batch across an outage.
   */
  budgetMillis: number;
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

  constructor(
    private readonly inner: Exporter<T>,
    private readonly options: RetryOptions,
  ) {}

  export(items: T, resultCallback: (result: ExportResult) => void): void {
    void this.exportWithin(items, Date.now() + this.options.budgetMillis).then(resultCallback);
  }

  private async exportWithin(items: T, deadline: number): Promise<ExportResult> {
    for (let backoff = this.options.initialDelayMillis; ; backoff = Math.min(backoff * 2, this.options.maxDelayMillis)) {
      const result = await this.attempt(items, deadline);
      if (result.code === ExportResultCode.SUCCESS || this.stopped) return result;
      const error = result.error ?? new Error('export failed');
      const delay = retryDelay(error, backoff);
      if (delay === undefined) {
        diag.warn(`telemetry export dropped a batch: the failure is not retryable: ${error.message}`);
        return result;
      }
      if (Date.now() + delay >= deadline) {
        diag.warn(`telemetry export dropped a batch: no time left to retry within ${this.options.budgetMillis} ms: ${error.message}`);
        return result;
      }
      diag.warn(`telemetry export failed, retrying: ${error.message}`);
      await this.wait(delay);
      if (this.stopped) return result;
    }
  }

  /** One attempt, answered by the deadline at the latest: an attempt still running then is abandoned. */
  private attempt(items: T, deadline: number): Promise<ExportResult> {
    return new Promise((done) => {
      let answered = false;
      const answer = (result: ExportResult) => {
        if (answered) return;
        answered = true;
        clearTimeout(timer);
        done(result);
      };
      const timer = setTimeout(
        () =>
          answer({
            code: ExportResultCode.FAILED,
            error: new Error(`no answer within the retry budget of ${this.options.budgetMillis} ms`),
          }),
        Math.max(0, deadline - Date.now()),
      );
      this.inner.export(items, answer);
    });
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
