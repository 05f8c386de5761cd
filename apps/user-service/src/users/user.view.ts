import { ApiProperty } from '@nestjs/swagger';

export class SpentView {
  @ApiProperty({ example: 'EUR' })
  currency!: string;

  @ApiProperty({ example: 4200, description: 'Minor units (cents)' })
  amountMinor!: number;
}

export class OrderStatsView {
  @ApiProperty({ description: 'Orders confirmed (paid), over all currencies' })
  confirmed!: number;

  @ApiProperty({ type: [SpentView] })
  spent!: SpentView[];

  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  lastConfirmedAt!: string | null;
}

export class UserView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  email!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: OrderStatsView })
  orders!: OrderStatsView;
}
