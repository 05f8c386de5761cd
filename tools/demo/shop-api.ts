import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SERVICE_URLS } from './service-processes';

/** A request the demo makes, under a trace id it chose (its own traceparent), so it can point at the trace. */
export interface Traced<T> {
  status: number;
  body: T;
  traceId: string;
}

export interface Order {
  id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  totalMinor: number;
  cancelReason: string | null;
}

/** A fresh sampled W3C traceparent: the request's server span joins this trace, so its id is known up front. */
export function newTraceparent(): { traceparent: string; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`, traceId };
}

async function call<T>(method: string, url: string, body?: unknown): Promise<Traced<T>> {
  const { traceparent, traceId } = newTraceparent();
  const response = await fetch(url, {
    method,
    headers: { traceparent, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = (text ? JSON.parse(text) : {}) as T;
  if (response.status >= 400) throw new Error(`${method} ${url} answered ${response.status}: ${text}`);
  return { status: response.status, body: parsed, traceId };
}

/** The shop's HTTP API, as the demo's customer uses it. */
export const shopApi = {
  registerUser: (email: string, name: string) => call<{ id: string }>('POST', `${SERVICE_URLS['user-service']}/users`, { email, name }),
  placeOrder: (userId: string, items: { sku: string; quantity: number; unitPriceMinor: number }[]) =>
    call<Order>('POST', `${SERVICE_URLS['order-service']}/orders`, { userId, currency: 'EUR', items }),
  getOrder: (id: string) => call<Order>('GET', `${SERVICE_URLS['order-service']}/orders/${id}`),
  poisonMessage: (topic: string) => call<{ topic: string; partition: number; offset: string }>('POST', `${SERVICE_URLS['payment-service']}/admin/faults/poison-message`, { topic }),

  /** Polls until the order leaves PENDING. */
  async settled(id: string, seconds = 30): Promise<Order> {
    for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await sleep(300)) {
      const { body } = await this.getOrder(id);
      if (body.status !== 'PENDING') return body;
    }
    throw new Error(`order ${id} still PENDING after ${seconds} s`);
  },
};
