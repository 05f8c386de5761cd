import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RetentionJobs, SERVICE_CONFIG } from '@tracehop/service-kit';

/** The part of order-service's configuration this needs (config.ts). */
interface IdempotencyKeyRetentionConfig {
  /** Idempotency-Key rows are kept this long: a retry with the same key within it answers with the same order. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: number;
}

/** Hands the service kit's retention jobs the rule for POST /orders' Idempotency-Key rows. */
@Injectable()
export class IdempotencyKeyRetention implements OnModuleInit {
  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: IdempotencyKeyRetentionConfig,
    private readonly retention: RetentionJobs,
  ) {}

  onModuleInit(): void {
    this.retention.add({ table: 'idempotency_key', timeColumn: 'created_at', maxAgeHours: this.config.IDEMPOTENCY_KEY_RETENTION_HOURS });
  }
}
