import { setTimeout as sleep } from 'node:timers/promises';
import { fetchTransaction, type Transaction } from '../trace-view';

const spanCount = (transaction: Transaction) => transaction.traces.reduce((sum, trace) => sum + trace.spans.length, 0);

/**
 * Telemetry arrives asynchronously (batching, agent → gateway → tail sampling → Jaeger): polls
 * until the step's last span is there and the span count holds still between two polls.
 */
export async function waitForTransaction(
  traceId: string,
  complete: (transaction: Transaction) => boolean,
  seconds = 90,
): Promise<Transaction> {
  let previous = -1;
  let last: Transaction | undefined;
  for (const deadline = Date.now() + seconds * 1000; Date.now() < deadline; await sleep(1500)) {
    const fetched = await fetchTransaction(traceId).catch(() => undefined); // Jaeger busy: ask again
    if (!fetched) continue;
    last = fetched;
    if (complete(last)) {
      if (spanCount(last) === previous) return last;
      previous = spanCount(last);
    }
  }
  if (last) return last;
  throw new Error(`trace ${traceId} did not reach Jaeger within ${seconds} s (is the stack healthy? npm run stack -- status)`);
}
