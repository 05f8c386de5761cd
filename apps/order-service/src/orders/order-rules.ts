import type { OrderStatus } from '../database/schema';

/** Total in minor units: integers all the way, so no rounding. */
export function orderTotal(items: { quantity: number; unitPriceMinor: number }[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPriceMinor, 0);
}

/** PENDING is the only state a payment outcome may move; CONFIRMED and CANCELLED are terminal. */
export function nextStatus(current: OrderStatus, paid: boolean): OrderStatus | undefined {
  if (current !== 'PENDING') return undefined;
  return paid ? 'CONFIRMED' : 'CANCELLED';
}
