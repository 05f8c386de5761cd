import { Type } from 'class-transformer';
import { IsString, IsUUID, Length, ValidateNested } from 'class-validator';
import { EventEnvelope } from './event-envelope';
import { Money } from './money';

abstract class PaymentOutcome extends EventEnvelope {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  paymentId!: string;

  @ValidateNested()
  @Type(() => Money)
  amount!: Money;
}

/** payments.payment-completed.v1 — the order was paid. */
export class PaymentCompletedV1 extends PaymentOutcome {}

/** payments.payment-failed.v1 — the payment was declined or failed; `reason` says why. */
export class PaymentFailedV1 extends PaymentOutcome {
  @IsString()
  @Length(1, 200)
  reason!: string;
}
