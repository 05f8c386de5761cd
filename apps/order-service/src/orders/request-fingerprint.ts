import { createHash } from 'node:crypto';
import type { CreateOrderDto } from './create-order.dto';

/** Same body → same fingerprint, whatever the key order of its JSON: what an Idempotency-Key is bound to. */
export function requestFingerprint(request: CreateOrderDto): string {
  const canonical = JSON.stringify({
    userId: request.userId,
    currency: request.currency,
    items: request.items.map((item) => ({ sku: item.sku, quantity: item.quantity, unitPriceMinor: item.unitPriceMinor })),
  });
  return createHash('sha256').update(canonical).digest('hex');
}
