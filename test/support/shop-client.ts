import { randomUUID } from 'node:crypto';
import { newTraceparent } from '../../tools/demo/shop-api';
import { eventually } from './eventually';
import type { RunningServices } from './services';

// The specs start traces the way the demo does.
export { newTraceparent };

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  traceId?: string;
}

async function call<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const { traceparent, traceId } = newTraceparent();
  const response = await fetch(url, {
    method,
    headers: { traceparent, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T, traceId };
}

export interface Order {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  totalMinor: number;
  cancelReason: string | null;
}

/** The shop's HTTP API as a client sees it. Each call starts its own trace (a traceparent we choose). */
export function shopClient(running: RunningServices) {
  const { url } = running;
  return {
    registerUser: (email = `user-${randomUUID()}@example.com`, name = 'Test User') => call<{ id: string; orders: { confirmed: number } }>('POST', `${url['user-service']}/users`, { email, name }),
    getUser: (id: string) => call<{ id: string; orders: { confirmed: number; spent: { currency: string; amountMinor: number }[] } }>('GET', `${url['user-service']}/users/${id}`),
    placeOrder: (body: unknown, headers: Record<string, string> = {}) => call<Order>('POST', `${url['order-service']}/orders`, body, headers),
    getOrder: (id: string) => call<Order>('GET', `${url['order-service']}/orders/${id}`),
    payments: (orderId: string) => call<{ id: string; status: string }[]>('GET', `${url['payment-service']}/payments?orderId=${orderId}`),
    raw: call,
    /** Polls until the order leaves PENDING. */
    settled: (id: string, seconds = 10) =>
      eventually(`order ${id} settled`, seconds, async () => {
        const { body } = await call<Order>('GET', `${url['order-service']}/orders/${id}`);
        return body.status === 'PENDING' ? undefined : body;
      }),
  };
}

export const anOrder = (userId: string, unitPriceMinor = 450, quantity = 2) => ({ userId, currency: 'EUR', items: [{ sku: 'SKU-TEA-01', quantity, unitPriceMinor }] });
