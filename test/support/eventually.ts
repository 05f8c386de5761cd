import { waitUntil } from '../../infra/stack/src/wait-until';

/**
 * Polls a backend until the check returns a value (not undefined or false) or the deadline passes;
 * the last failure is what the test reports. Telemetry arrives asynchronously through agent → gateway → backend.
 */
export function eventually<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  return waitUntil(check, { what, timeoutMs: seconds * 1000, intervalMs: 500 });
}
