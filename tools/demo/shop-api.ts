import { randomBytes } from 'node:crypto';
import { waitUntil } from '../../infra/stack/src/wait-until';
import { SERVICE_URLS } from './service-processes';

/** An answer to a request made under a trace id we chose (our own traceparent), so we can point at the trace. */
export interface Traced<T> {
  status: number;
  headers: Headers;
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

/** One HTTP call in a new trace of its own; a JSON body is sent as JSON, a string as it is. Shared with the e2e specs. */
export async function tracedCall<T>(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Traced<T>> {
  const { traceparent, traceId } = newTraceparent();
  const response = await fetch(url, {
    method,
    signal,
    headers: { traceparent, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T, traceId };
}

/** The demo's calls must succeed: an error answer stops the scenario with what the service said. */
async function call<T>(method: string, url: string, body?: unknown): Promise<Traced<T>> {
  const answer = await tracedCall<T>(method, url, body);
  if (answer.status >= 400) throw new Error(`${method} ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

/** The shop's HTTP API, as the demo's customer uses it. */
export const shopApi = {
  registerUser: (email: string, name: string) => call<{ id: string }>('POST', `${SERVICE_URLS['user-service']}/users`, { email, name }),
  placeOrder: (userId: string, items: { sku: string; quantity: number; unitPriceMinor: number }[]) =>
    call<Order>('POST', `${SERVICE_URLS['order-service']}/orders`, { userId, currency: 'EUR', items }),
  getOrder: (id: string) => call<Order>('GET', `${SERVICE_URLS['order-service']}/orders/${id}`),
  poisonMessage: (topic: string) =>
    call<{ topic: string; partition: number; offset: string }>('POST', `${SERVICE_URLS['payment-service']}/admin/faults/poison-message`, {
      topic,
    }),

  /** Polls until the order leaves PENDING. */
  async settled(id: string, seconds = 30): Promise<Order> {
    return waitUntil(
      async (bail) => {
        try {
          const { body } = await this.getOrder(id);
          return body.status !== 'PENDING' ? body : undefined;
        } catch (error) {
          bail(error as Error); // an error answer will not change by waiting
          return undefined;
        }
      },
      { what: `order ${id} leaving PENDING`, timeoutMs: seconds * 1000, intervalMs: 300 },
    );
  },
};
