import { launchService, stopService, waitUntilReady } from '../../test/support/services';

/** Registers one customer through a running user-service; returns its id. */
export async function registerUser(userServiceUrl: string, index = 0): Promise<string> {
  const response = await fetch(`${userServiceUrl}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: `bench-${Date.now()}-${index}@example.com`, name: `Bench ${index}` }),
  });
  if (!response.ok) throw new Error(`POST /users answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** Registers one user through a user-service started without telemetry; returns its id for GET /users/:id. */
export async function registerBenchUser(port: string): Promise<string> {
  const service = launchService('user-service', { OTEL_SDK_DISABLED: 'true', PORT: port });
  try {
    await waitUntilReady(service);
    return await registerUser(`http://127.0.0.1:${port}`);
  } finally {
    await stopService(service);
  }
}
