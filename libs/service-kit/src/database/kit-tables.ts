import type { ColumnType, Generated } from 'kysely';

/** Rows waiting to be published (transactional outbox). Written in the business transaction. */
export interface OutboxTable {
  id: Generated<string>;
  topic: string;
  message_key: string;
  /** The encoded event (JSON text, validated by its contract class before it was written). */
  payload: string;
  /** W3C trace context of the request or record that wrote the row: the relay continues that trace. */
  trace_headers: ColumnType<Record<string, string>, string, string>;
  event_id: string;
  created_at: Generated<Date>;
  published_at: ColumnType<Date | null, never, Date>;
  /** The relay's claim (one per send): rows claimed until `claimed_until` are another send's. */
  claim_id: ColumnType<string | null, never, string | null>;
  claimed_until: ColumnType<Date | null, never, Date | null>;
  /** Sends of this row alone that the broker refused (a broker outage counts none). */
  attempts: ColumnType<number, never, number>;
  /** Set when the relay gave up on the row (docs/services.md says how to re-queue it); `last_error` says why. */
  failed_at: ColumnType<Date | null, never, Date | null>;
  last_error: ColumnType<string | null, never, string | null>;
}

/** Event ids a consumer group has applied (idempotent consumer, written in the effect's transaction). */
export interface ProcessedEventTable {
  consumer_group: string;
  event_id: string;
  topic: string;
  processed_at: Generated<Date>;
}

/** The tables service-kit owns in every service's database (created by its first migration). */
export interface KitTables {
  outbox: OutboxTable;
  processed_event: ProcessedEventTable;
}
