import { IsIn, IsInt, Min } from 'class-validator';

export const CURRENCIES = ['EUR', 'USD', 'GBP'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Amounts in minor units (cents): integers, so no float rounding between services. */
export class Money {
  @IsInt()
  @Min(0)
  amountMinor!: number;

  @IsIn(CURRENCIES)
  currency!: Currency;
}
