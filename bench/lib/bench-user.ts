import { launchService, stopService, waitUntilReady } from '../../test/support/services';

/** Registers one user through a user-service started without telemetry; returns its id for GET /users/:id. */
export async function registerBenchUser(port: string): Promise<string> {
  const service = launchService('user-service', { OTEL_SDK_DISABLED: 'true', PORT: port });
  await waitUntilReady(service);
  try {
    const response = await fetch(`http://127.0.0.1:${port}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `bench-${Date.now()}@example.com`, name: 'Bench User' }),
    });
    if (!response.ok) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`);
    return ((await response.json()) as { id: string }).id;
  } finally {
    await stopService(service);
  }
}
