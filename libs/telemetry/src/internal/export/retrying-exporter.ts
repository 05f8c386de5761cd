import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import retry from 'async-retry';
import { RateLimitedWarning } from '../../logs/rate-limited-warning';

/** What span, log record and metric exporters have in common. */
export interface Exporter<T> {
  export(items: T, resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface RetryOptions {
  /**
   * How long one batch may be retried. Keep it below the batch processor's exportTimeoutMillis
   * (default 30 s): after that the processor gives up on the batch anyway.
   */
  maxRetryMillis: number;
  initialDelayMillis: number;
  maxDelayMillis: number;
}

/** Delays stay short (≤ 2 s) so that a process asked to stop is held at most that long by a pending retry. */
export const DEFAULT_RETRY: RetryOptions = { maxRetryMillis: 25_000, initialDelayMillis: 250, maxDelayMillis: 2_000 };

/** gRPC codes the OTLP specification calls retryable; errors without a code are network failures. */
const RETRYABLE_GRPC_CODES = new Set([1, 4, 8, 10, 11, 14, 15]);

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code !== 'number' || RETRYABLE_GRPC_CODES.has(code);
}

/**
 * Retries failed exports with exponential backoff and jitter. The OTLP gRPC exporter gives up at
 * the first UNAVAILABLE (measured: 28 ms with the agent down, the batch lost), so a collector
 * restart would lose every span exported meanwhile. Memory stays bounded: the batch processor
 * hands over one batch at a time and queues at most maxQueueSize spans while a retry is pending.
 */
export class RetryingExporter<T> implements Exporter<T> {
  private stopped = false;
  private readonly warning = new RateLimitedWarning(30_000);

  constructor(
    private readonly inner: Exporter<T>,
    private readonly options: RetryOptions = DEFAULT_RETRY,
  ) {}

  export(items: T, resultCallback: (result: ExportResult) => void): void {
    retry(
      async (bail) => {
        const result = await new Promise<ExportResult>((done) => this.inner.export(items, done));
        if (result.code === ExportResultCode.SUCCESS) return result;
        const error = result.error ?? new Error('export failed');
        if (this.stopped || !isRetryable(error)) {
          // async-retry keeps scheduling attempts after bail() if the attempt throws: return instead.
          bail(error);
          return result;
        }
        throw error;
      },
      {
        // node-retry precomputes one delay per retry: bound the count, maxRetryTime bounds the time.
        retries: Math.ceil(this.options.maxRetryMillis / this.options.initialDelayMillis),
        minTimeout: this.options.initialDelayMillis,
        maxTimeout: this.options.maxDelayMillis,
        factor: 2,
        randomize: true,
        maxRetryTime: this.options.maxRetryMillis,
        onRetry: (error: Error) => this.warning.say(`telemetry export failed, retrying: ${error.message}`),
      },
    ).then(
      (result) => resultCallback(result),
      (error: Error) => {
        this.warning.say(`telemetry export dropped a batch after retries: ${error.message}`);
        resultCallback({ code: ExportResultCode.FAILED, error });
      },
    );
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  /**
   * No more retries from now on: a batch being retried gets its current attempt and then fails.
   * Called first on shutdown, so flushing does not wait out a retry budget for an absent collector.
   */
  stopRetrying(): void {
    this.stopped = true;
  }

  shutdown(): Promise<void> {
    this.stopRetrying();
    return this.inner.shutdown();
  }
}
