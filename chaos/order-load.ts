import { setTimeout as sleep } from 'node:timers/promises';
import { tracedCall, type Order } from '../tools/demo/shop-api';

/** One order the load tried to place: its trace (a traceparent we chose) and what the service answered. */
export interface PlacedOrder {
  traceId: string;
  /** HTTP status; 0 when the request itself failed (connection refused, timeout). */
  status: number;
  orderId?: string;
  at: number;
}

const orderBody = (userId: string, n: number) => ({
  userId,
  currency: 'EUR',
  items: [{ sku: `SKU-CHAOS-${n % 7}`, quantity: 1 + (n % 3), unitPriceMinor: 100 + (n % 50) }],
});

/**
 * Places orders open-loop at a fixed rate (not waiting for answers, as real customers do not), spread
 * over the given users, until stopped. Every request starts a trace of its own, so each accepted
 * order can be looked up in Jaeger and the log store afterwards.
 */
export class OrderLoad {
  readonly placed: PlacedOrder[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly orderServiceUrl: string,
    private readonly userIds: string[],
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  /** Stops placing and waits for the answers still outstanding. */
  async stop(): Promise<PlacedOrder[]> {
    this.stopped = true;
    await this.running;
    await Promise.all(this.inFlight);
    return this.placed;
  }

  private async loop(): Promise<void> {
    const started = performance.now();
    for (let n = 0; !this.stopped; n++) {
      // Open loop: the n-th order leaves at n / rate, whether earlier ones were answered or not.
      const due = started + (n * 1000) / this.perSecond;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (this.stopped) break;
      const request = this.place(n).finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
  }

  private async place(n: number): Promise<void> {
    const at = Date.now();
    const body = orderBody(this.userIds[n % this.userIds.length], n);
    try {
      const answer = await tracedCall<Order>('POST', `${this.orderServiceUrl}/orders`, body, {}, AbortSignal.timeout(10_000));
      this.placed.push({ traceId: answer.traceId, status: answer.status, orderId: answer.status < 300 ? answer.body.id : undefined, at });
    } catch {
      this.placed.push({ traceId: '', status: 0, at });
    }
  }
}
