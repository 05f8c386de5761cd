import { Type } from 'class-transformer';
import { ArrayMinSize, IsInt, IsString, IsUUID, Length, Min, ValidateNested } from 'class-validator';
import { EventEnvelope } from './event-envelope';
import { Money } from './money';

export class OrderLine {
  @IsString()
  @Length(1, 64)
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;

  @ValidateNested()
  @Type(() => Money)
  unitPrice!: Money;
}

/** orders.order-created.v1 — an order waits for payment. */
export class OrderCreatedV1 extends EventEnvelope {
  @IsUUID()
  orderId!: string;

  @IsUUID()
  userId!: string;

  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => OrderLine)
  lines!: OrderLine[];

  @ValidateNested()
  @Type(() => Money)
  total!: Money;
}
