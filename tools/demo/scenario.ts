import { randomUUID } from 'node:crypto';
import { ATTR_MESSAGING_CONSUMER_GROUP_NAME } from '@opentelemetry/semantic-conventions/incubating';
import { TOPICS } from '@tracehop/contracts';
import type { Transaction } from '../trace-view';
import { shopApi } from './shop-api';

/** One step of the story, told by its trace: what happened, and when its trace is complete. */
export interface DemoStep {
  title: string;
  outcome: string;
  traceId: string;
  /** All the spans the step causes are in Jaeger (across linked traces in link mode). */
  complete: (transaction: Transaction) => boolean;
  /** A PromQL query showing the step in metrics. */
  promql: string;
}

const spans = (transaction: Transaction) => transaction.traces.flatMap((trace) => trace.spans);
const has = (transaction: Transaction, service: string, name: string) =>
  spans(transaction).some((span) => span.service === service && span.name === name);
const settled = (transaction: Transaction, topic: string) =>
  spans(transaction).some(
    (span) => span.name === `process ${topic}` && span.attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] === 'payment-service.settlement',
  );
const euros = (minor: number) => `EUR ${(minor / 100).toFixed(2)}`;

/**
 * The demo's story: a user registers (payment-service opens an account), places an order that is
 * paid and confirmed (and counted back in user-service), places one the wallet cannot cover
 * (declined, cancelled), and a poison record lands in payment-service's dead-letter topic.
 */
export async function* playScenario(): AsyncGenerator<DemoStep> {
  const user = await shopApi.registerUser(`demo-${randomUUID().slice(0, 8)}@example.com`, 'Demo Customer');
  yield {
    title: 'A user registers',
    outcome: `user ${user.body.id} registered; payment-service opens a wallet per currency`,
    traceId: user.traceId,
    complete: (t) => has(t, 'payment-service', `process ${TOPICS.userRegistered}`),
    promql: 'sum by (job) (tracehop_users_registered_total)',
  };

  const paid = await shopApi.placeOrder(user.body.id, [{ sku: 'SKU-TEA-01', quantity: 2, unitPriceMinor: 450 }]);
  const paidOrder = await shopApi.settled(paid.body.id);
  yield {
    title: 'An order that is paid',
    outcome: `order ${paidOrder.id} ${paidOrder.status} (${euros(paidOrder.totalMinor)})`,
    traceId: paid.traceId,
    complete: (t) => has(t, 'user-service', `process ${TOPICS.orderConfirmed}`) && settled(t, TOPICS.paymentCompleted),
    promql: 'histogram_quantile(0.95, sum by (le) (rate(tracehop_orders_completion_duration_seconds_bucket[5m])))',
  };

  const declined = await shopApi.placeOrder(user.body.id, [{ sku: 'SKU-ESPRESSO-MACHINE', quantity: 1, unitPriceMinor: 250_000 }]);
  const declinedOrder = await shopApi.settled(declined.body.id);
  yield {
    title: 'An order that is declined',
    outcome: `order ${declinedOrder.id} ${declinedOrder.status} (${euros(declinedOrder.totalMinor)}): ${declinedOrder.cancelReason}`,
    traceId: declined.traceId,
    complete: (t) => has(t, 'order-service', `send ${TOPICS.orderCancelled}`) && settled(t, TOPICS.paymentFailed),
    promql: 'sum by (outcome) (tracehop_payments_total)',
  };

  const poison = await shopApi.poisonMessage(TOPICS.orderCreated);
  yield {
    title: 'A poison message',
    outcome: `an unparseable record on ${TOPICS.orderCreated} (partition ${poison.body.partition}, offset ${poison.body.offset}) goes to payment-service.dlq; the consumer moves on`,
    traceId: poison.traceId,
    complete: (t) => has(t, 'payment-service', 'send payment-service.dlq'),
    promql: 'sum by (job, outcome) (tracehop_consumer_records_total)',
  };
}
