import { Type } from 'class-transformer';
import { IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { EventEnvelope } from './event-envelope';
import { Money } from './money';

abstract class OrderOutcome extends EventEnvelope {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  userId!: string;

  @ValidateNested()
  @Type(() => Money)
  total!: Money;
}

/** orders.order-confirmed.v1 — paid and confirmed. */
export class OrderConfirmedV1 extends OrderOutcome {}

/** orders.order-cancelled.v1 — cancelled; `reason` says why (payment declined, …). */
export class OrderCancelledV1 extends OrderOutcome {
  @IsString()
  @Length(1, 200)
  reason!: string;
}
