/** Every consumer group of the three services. */
export const SERVICE_GROUPS = [
  'user-service',
  'order-service',
  'payment-service',
  'payment-service.accounts',
  'payment-service.settlement',
];
