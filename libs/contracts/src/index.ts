// Event contracts shared by the services: topic names and validated event classes.
export { deadLetterTopic, retryTopic, TOPICS } from './topics';
export type { Topic } from './topics';
export { decodeEvent, encodeEvent, fieldErrors, PoisonMessageError } from './event-codec';
export { EventEnvelope } from './events/event-envelope';
export { newEvent } from './new-event';
export type { EventFields } from './new-event';
export { CURRENCIES, Money } from './events/money';
export type { Currency } from './events/money';
export { UserRegisteredV1 } from './events/user-registered';
export { OrderCreatedV1, OrderLine } from './events/order-created';
export { PaymentCompletedV1, PaymentFailedV1 } from './events/payment-outcome';
export { OrderCancelledV1, OrderConfirmedV1 } from './events/order-outcome';
