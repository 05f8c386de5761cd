import { randomUUID } from 'node:crypto';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import type { EventEnvelope } from './events/event-envelope';

/** What a producer supplies for an event: everything but the envelope. */
export type EventFields<T extends EventEnvelope> = Omit<T, keyof EventEnvelope>;

/** A new event of `type`: a fresh event id, `occurredAt`, and the given fields (nested classes built by class-transformer). */
export function newEvent<T extends EventEnvelope>(type: ClassConstructor<T>, fields: EventFields<T>, occurredAt: Date = new Date()): T {
  return plainToInstance(type, { ...fields, eventId: randomUUID(), occurredAt: occurredAt.toISOString() });
}
