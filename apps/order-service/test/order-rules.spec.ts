import { randomUUID } from 'node:crypto';
import type { CreateOrderDto } from '../src/orders/create-order.dto';
import { nextStatus, orderTotal } from '../src/orders/order-rules';
import { requestFingerprint } from '../src/orders/request-fingerprint';

const USER_ID = randomUUID();

const order = (overrides: Partial<CreateOrderDto> = {}): CreateOrderDto => ({
  userId: USER_ID,
  currency: 'EUR',
  items: [
    { sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 },
    { sku: 'SKU-MUG-02', quantity: 1, unitPriceMinor: 1299 },
  ],
  ...overrides,
});

describe('orderTotal', () => {
  it('sums quantity × unit price over every item, in minor units', () => {
    expect(orderTotal(order().items)).toBe(2 * 450 + 1299);
  });

  it('is 0 for no items and for free items', () => {
    expect(orderTotal([])).toBe(0);
    expect(orderTotal([{ quantity: 5, unitPriceMinor: 0 }])).toBe(0);
  });

  it('stays exact at the largest values the DTO allows (integers, no float rounding)', () => {
    const items = Array.from({ length: 100 }, () => ({ quantity: 1000, unitPriceMinor: 100_000_000 }));
    expect(orderTotal(items)).toBe(10_000_000_000_000);
    expect(Number.isSafeInteger(orderTotal(items))).toBe(true);
  });
});

describe('nextStatus', () => {
  it('moves a PENDING order to CONFIRMED when paid and CANCELLED when not', () => {
    expect(nextStatus('PENDING', true)).toBe('CONFIRMED');
    expect(nextStatus('PENDING', false)).toBe('CANCELLED');
  });

  it.each(['CONFIRMED', 'CANCELLED'] as const)('leaves the terminal state %s alone whatever the outcome', (terminal) => {
    expect(nextStatus(terminal, true)).toBeUndefined();
    expect(nextStatus(terminal, false)).toBeUndefined();
  });
});

describe('requestFingerprint', () => {
  it('is a sha256 hex digest', () => {
    expect(requestFingerprint(order())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same body whatever the key order of its JSON', () => {
    const reordered = JSON.parse(
      '{"items":[{"unitPriceMinor":450,"quantity":2,"sku":"SKU-TEA-01"},{"unitPriceMinor":1299,"sku":"SKU-MUG-02","quantity":1}],"currency":"EUR",' +
        `"userId":"${USER_ID}"}`,
    ) as CreateOrderDto;
    expect(requestFingerprint(reordered)).toBe(requestFingerprint(order()));
  });

  it('differs when any field of the body differs', () => {
    const base = requestFingerprint(order());
    const variants: CreateOrderDto[] = [
      order({ userId: randomUUID() }),
      order({ currency: 'USD' }),
      order({
        items: [
          { sku: 'SKU-TEA-01', quantity: 3, unitPriceMinor: 450 },
          { sku: 'SKU-MUG-02', quantity: 1, unitPriceMinor: 1299 },
        ],
      }),
      order({
        items: [
          { sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 451 },
          { sku: 'SKU-MUG-02', quantity: 1, unitPriceMinor: 1299 },
        ],
      }),
      order({
        items: [
          { sku: 'SKU-TEA-99', quantity: 2, unitPriceMinor: 450 },
          { sku: 'SKU-MUG-02', quantity: 1, unitPriceMinor: 1299 },
        ],
      }),
      order({ items: [{ sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 }] }),
    ];
    const fingerprints = variants.map(requestFingerprint);
    for (const fingerprint of fingerprints) expect(fingerprint).not.toBe(base);
    expect(new Set(fingerprints).size).toBe(variants.length);
  });
});
