import { ApiProperty } from '@nestjs/swagger';
import { CURRENCIES } from '@tracehop/contracts';
import { ORDER_STATUSES } from '../database/schema';
import { OrderItemDto } from './create-order.dto';

export class OrderView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty({ enum: ORDER_STATUSES })
  status!: string;

  @ApiProperty({ enum: CURRENCIES })
  currency!: string;

  @ApiProperty({ description: 'Minor units (cents)' })
  totalMinor!: number;

  @ApiProperty({ type: [OrderItemDto] })
  items!: OrderItemDto[];

  @ApiProperty({ nullable: true, type: String })
  cancelReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  completedAt!: string | null;
}
