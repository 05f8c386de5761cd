import { randomUUID } from 'node:crypto';
import { newTraceparent, tracedCall as call, type Order } from '../../tools/demo/shop-api';
import { eventually } from './eventually';
import type { RunningServices } from './services';

// The specs start traces and call the shop the way the demo does.
export { newTraceparent, type Order };

/** The shop's HTTP API as a client sees it. Each call starts its own trace (a traceparent we choose). */
export function shopClient(running: RunningServices) {
  const { url } = running;
  const registerUser = (email = `user-${randomUUID()}@example.com`, name = 'Test User') =>
    call<{ id: string; orders: { confirmed: number } }>('POST', `${url['user-service']}/users`, { email, name });
  const placeOrder = (body: unknown, headers: Record<string, string> = {}) =>
    call<Order>('POST', `${url['order-service']}/orders`, body, headers);
  /** Polls until the order leaves PENDING. */
  const settled = (id: string, seconds = 10) =>
    eventually(`order ${id} settled`, seconds, async () => {
      const { body } = await call<Order>('GET', `${url['order-service']}/orders/${id}`);
      return body.status === 'PENDING' ? undefined : body;
    });
  return {
    registerUser,
    getUser: (id: string) =>
      call<{ id: string; orders: { confirmed: number; spent: { currency: string; amountMinor: number }[] } }>(
        'GET',
        `${url['user-service']}/users/${id}`,
      ),
    placeOrder,
    getOrder: (id: string) => call<Order>('GET', `${url['order-service']}/orders/${id}`),
    payments: (orderId: string) => call<{ id: string; status: string }[]>('GET', `${url['payment-service']}/payments?orderId=${orderId}`),
    raw: call,
    settled,
    /**
     * A registered user whose payment account is open. The account is opened from user-registered,
     * asynchronously: a charge that comes first is retried (AccountNotOpenYet) and leaves an error
     * span in its order's trace. One small order, settled, waits for that fact.
     */
    customer: async (seconds = 60) => {
      const { body: user } = await registerUser();
      const { body: order } = await placeOrder({
        userId: user.id,
        currency: 'EUR',
        items: [{ sku: 'SKU-WARM', quantity: 1, unitPriceMinor: 100 }],
      });
      await settled(order.id, seconds);
      return user;
    },
  };
}

export const anOrder = (userId: string, unitPriceMinor = 450, quantity = 2) => ({
  userId,
  currency: 'EUR',
  items: [{ sku: 'SKU-TEA-01', quantity, unitPriceMinor }],
});
