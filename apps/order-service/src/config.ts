import { env, loadServiceConfig } from '@tracehop/service-kit';

/** order-service's environment (docs/services.md lists every variable). */
export function loadOrderServiceConfig(source: NodeJS.ProcessEnv = process.env) {
  return loadServiceConfig(
    'order-service',
    { port: 3002, database: 'orders' },
    {
      USER_SERVICE_URL: env.url(/^https?$/, 'an http(s):// URL').default('http://127.0.0.1:3001'),
      USER_SERVICE_TIMEOUT_MS: env.count(1, 60_000).default(2_000),
      /** Idempotency-Key rows are deleted after this: a retry with the key within it answers with the same order. */
      IDEMPOTENCY_KEY_RETENTION_HOURS: env.count(1, 87_600).default(24),
    },
    source,
  );
}

export type OrderServiceConfig = ReturnType<typeof loadOrderServiceConfig>;
