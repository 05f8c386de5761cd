import { IsUUID } from 'class-validator';
import { EventEnvelope } from './event-envelope';

/** users.user-registered.v1 — a user exists. No e-mail or name: consumers need only the id (PII stays home). */
export class UserRegisteredV1 extends EventEnvelope {
  @IsUUID()
  userId!: string;
}
