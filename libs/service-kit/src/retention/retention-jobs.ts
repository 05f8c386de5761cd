import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR_DB_COLLECTION_NAME } from '@opentelemetry/semantic-conventions';
import type { Kysely } from 'kysely';
import type { Logger } from 'winston';
import { SERVICE_CONFIG, type ServiceConfig } from '../config/service-config';
import { DATABASE } from '../database/database';
import { LOGGER } from '../logging';
import { defineCounter } from '../metrics/instruments';
import { deleteExpiredBatch, type RetentionRule } from './retention-rule';

/** Each wait is the interval ±20 %, so instances started together do not delete together. */
const JITTER = 0.2;

/**
 * Deletes what the service no longer needs, every RETENTION_INTERVAL_MS (unless RETENTION_JOBS=off):
 * published outbox rows after OUTBOX_RETENTION_HOURS, processed-event claims after
 * PROCESSED_EVENT_RETENTION_HOURS, and the app's own tables it adds (order-service: idempotency
 * keys). Failed outbox rows are kept until an operator handles them. Each statement deletes at most
 * RETENTION_BATCH_SIZE rows.
 *
 * Traced: one root span per run, with its DELETE statements under it. Unlike the relay's polling
 * (several times a second) a run is rare, and its statements are the ones that can slow the
 * database, so they are worth finding next to the requests they may have delayed.
 */
@Injectable()
export class RetentionJobs implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly rules: RetentionRule[];
  private timer: NodeJS.Timeout | undefined;
  private run: Promise<unknown> | undefined;
  private stopped = false;
  private readonly tracer = trace.getTracer('@tracehop/service-kit');
  private readonly deleted = defineCounter(metrics.getMeter('@tracehop/service-kit'), 'tracehop.retention.deleted', {
    description: 'Rows deleted by the retention jobs',
    unit: '{row}',
  });

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(DATABASE) private readonly db: Kysely<unknown>,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.rules = [
      { table: 'outbox', timeColumn: 'published_at', maxAgeHours: config.OUTBOX_RETENTION_HOURS },
      { table: 'processed_event', timeColumn: 'processed_at', maxAgeHours: config.PROCESSED_EVENT_RETENTION_HOURS },
    ];
  }

  /** Adds an app table's rule (before the application is bootstrapped, e.g. in an onModuleInit). */
  add(rule: RetentionRule): void {
    this.rules.push(rule);
  }

  onApplicationBootstrap(): void {
    if (this.config.RETENTION_JOBS === 'on') this.schedule();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.run;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.config.RETENTION_INTERVAL_MS * (1 - JITTER + 2 * JITTER * Math.random());
    this.timer = setTimeout(() => {
      this.run = this.runOnce().finally(() => {
        this.run = undefined;
        this.schedule();
      });
    }, delay);
  }

  /**
   * One run: each rule's expired rows, a batch per statement until none is left or the service
   * stops. A rule that fails (its table missing, the database down) is logged and the others go on.
   * Returns the rows deleted per table.
   */
  runOnce(): Promise<Record<string, number>> {
    return this.tracer.startActiveSpan('retention run', { kind: SpanKind.INTERNAL, root: true }, async (span) => {
      const deleted: Record<string, number> = {};
      try {
        for (const rule of this.rules) {
          try {
            deleted[rule.table] = await this.purge(rule);
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: `retention of ${rule.table} failed` });
            this.logger.warn(`retention: deleting from ${rule.table} failed: ${(error as Error).message}`, { table: rule.table });
          }
        }
        return deleted;
      } finally {
        span.end();
      }
    });
  }

  private async purge(rule: RetentionRule): Promise<number> {
    const batchSize = this.config.RETENTION_BATCH_SIZE;
    let total = 0;
    for (;;) {
      const deleted = await deleteExpiredBatch(this.db, rule, batchSize);
      total += deleted;
      if (deleted > 0) this.deleted.add(deleted, { [ATTR_DB_COLLECTION_NAME]: rule.table });
      if (deleted < batchSize || this.stopped) break;
    }
    if (total > 0) this.logger.info(`retention: deleted ${total} rows from ${rule.table}`, { table: rule.table, deleted: total });
    return total;
  }
}
