import { waitUntil } from '../../infra/stack/src/wait-until';
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
  const settled = async () => {
    // With each span's log lines from VictoriaLogs; a throw (Jaeger busy) means: ask again.
    last = await fetchTransaction(traceId, { logs: {} });
    if (!complete(last)) return undefined;
    const stable = spanCount(last) === previous;
    previous = spanCount(last);
    return stable ? last : undefined;
  };
  return waitUntil(settled, { what: `trace ${traceId} complete in Jaeger`, timeoutMs: seconds * 1000, intervalMs: 1500 }).catch(
    (error: Error) => {
      // Out of time: what arrived is still worth showing.
      if (last) return last;
      throw new Error(`${error.message} (is the stack healthy? npm run stack -- status)`);
    },
  );
}
