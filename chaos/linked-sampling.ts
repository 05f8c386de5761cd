import pLimit from 'p-limit';
import { jaegerTrace, logsQuery } from '../test/support/backends';
import { ORDER_LOG_LINES } from './tally';

/**
 * How the gateway's tail sampling treated each order's transaction in link hop mode, where every
 * hop (the HTTP request, the payment, the confirmation, the statistics) is a trace of its own: all
 * of an order's hop traces kept, none, or some (split, what consistent sampling rules out).
 */
export interface LinkedSamplingTally {
  orders: number;
  /** Hop traces found through the orders' log lines (about four per order). */
  hopTraces: number;
  keptWhole: number;
  droppedWhole: number;
  split: number;
}

/** Each order's hop traces, from the trace ids on its log lines (log records are never sampled). */
async function hopTracesByOrder(orderIds: string[]): Promise<Map<string, Set<string>>> {
  const traces = new Map<string, Set<string>>();
  const messages = ORDER_LOG_LINES.map((line) => JSON.stringify(line)).join(',');
  for (let i = 0; i < orderIds.length; i += 200) {
    const ids = orderIds.slice(i, i + 200).map((id) => JSON.stringify(id));
    for (const { fields } of await logsQuery(`order_id:in(${ids.join(',')}) _msg:in(${messages}) trace_id:* | fields order_id, trace_id`)) {
      const set = traces.get(fields.order_id) ?? new Set<string>();
      traces.set(fields.order_id, set.add(fields.trace_id));
    }
  }
  return traces;
}

/** Which of each order's hop traces Jaeger holds, and whether the transaction was kept whole, dropped whole or split. */
export async function tallyLinkedSampling(orderIds: string[]): Promise<LinkedSamplingTally> {
  const byOrder = await hopTracesByOrder(orderIds);
  const limit = pLimit(8);
  const tally: LinkedSamplingTally = { orders: byOrder.size, hopTraces: 0, keptWhole: 0, droppedWhole: 0, split: 0 };
  await Promise.all(
    [...byOrder.values()].map((traceIds) =>
      limit(async () => {
        const kept = (await Promise.all([...traceIds].map(async (id) => (await jaegerTrace(id, { raw: false })) !== undefined))).filter(
          Boolean,
        ).length;
        tally.hopTraces += traceIds.size;
        if (kept === traceIds.size) tally.keptWhole++;
        else if (kept === 0) tally.droppedWhole++;
        else tally.split++;
      }),
    ),
  );
  return tally;
}
