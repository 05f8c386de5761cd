import { IsISO8601, IsUUID } from 'class-validator';

/** Fields every event carries: an id for idempotent consumers, and when it happened. */
export abstract class EventEnvelope {
  /** Unique per event: consumers record processed ids and ignore repeats. */
  @IsUUID()
  eventId!: string;

  @IsISO8601({ strict: true })
  occurredAt!: string;
}
