import { ApiProperty } from '@nestjs/swagger';
import { CURRENCIES } from '@tracehop/contracts';
import { UuidProperty } from '@tracehop/service-kit';
import { PAYMENT_STATUSES } from '../database/schema';

export class PaymentsQuery {
  @UuidProperty({ description: 'The order whose payments to list' })
  orderId!: string;
}

export class PaymentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  orderId!: string;

  @ApiProperty({ enum: PAYMENT_STATUSES })
  status!: string;

  @ApiProperty({ description: 'Minor units (cents)' })
  amountMinor!: number;

  @ApiProperty({ enum: CURRENCIES })
  currency!: string;

  @ApiProperty({ nullable: true, type: String })
  reason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}
