import { env, loadServiceConfig } from '@tracehop/service-kit';

/** payment-service's environment (docs/services.md lists every variable). */
export function loadPaymentServiceConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(
    'payment-service',
    { port: 3003, database: 'payments' },
    {
      /** Every new account starts with this much in each currency (minor units: 100000 = 1000.00). */
      PAYMENT_STARTING_BALANCE_MINOR: env.count(0, 1_000_000_000).default(100_000),
      /**
       * How long a charge waits for its user's account (the user-registered event may come later);
       * after that the payment fails with "no payment account" instead of retrying for ever.
       */
      PAYMENT_ACCOUNT_WAIT_MS: env.millis().default(30_000),
      /** Failure injection: simulated processor latency and share of charges it fails. */
      PAYMENT_PROCESSOR_LATENCY_MS: env.millis().default(50),
      PAYMENT_PROCESSOR_FAILURE_RATE: env.rate().default(0),
    },
    source,
  );
}

export type PaymentServiceConfig = ReturnType<typeof loadPaymentServiceConfig>;
