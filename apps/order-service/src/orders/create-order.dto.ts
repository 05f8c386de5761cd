import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsIn, IsInt, Max, Min, ValidateNested } from 'class-validator';
import { CURRENCIES, type Currency } from '@tracehop/contracts';
import { TextProperty, UuidProperty } from '@tracehop/service-kit';

// The OpenAPI schema states every validation rule beside its decorator (POST /orders is documented
// from these classes); test/services/openapi-conformance.e2e-spec.ts (schemathesis) checks they agree.
export class OrderItemDto {
  @TextProperty({ minLength: 1, maxLength: 64, example: 'SKU-TEA-01' })
  sku!: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1, maximum: 1000 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;

  @ApiProperty({ type: 'integer', example: 450, description: 'Price of one item in minor units (cents)', minimum: 0, maximum: 100_000_000 })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  unitPriceMinor!: number;
}

export class CreateOrderDto {
  @UuidProperty()
  userId!: string;

  @ApiProperty({ enum: CURRENCIES, example: 'EUR' })
  @IsIn(CURRENCIES)
  currency!: Currency;

  @ApiProperty({ type: [OrderItemDto], minItems: 1, maxItems: 100 })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items!: OrderItemDto[];
}
