/**
 * Every Kafka topic of the transaction, in one place. Names are `<owner>.<event>.v<major>`: a
 * breaking change to an event gets a new topic, so old and new consumers can run side by side.
 */
export const TOPICS = {
  userRegistered: 'users.user-registered.v1',
  orderCreated: 'orders.order-created.v1',
  paymentCompleted: 'payments.payment-completed.v1',
  paymentFailed: 'payments.payment-failed.v1',
  orderConfirmed: 'orders.order-confirmed.v1',
  orderCancelled: 'orders.order-cancelled.v1',
} as const;

export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** Where a consumer group parks records it cannot process (poison, or out of attempts). */
export function deadLetterTopic(groupId: string): string {
  return `${groupId}.dlq`;
}

/** Where a consumer group puts records to try again after a delay; it consumes this topic itself. */
export function retryTopic(groupId: string): string {
  return `${groupId}.retry`;
}
