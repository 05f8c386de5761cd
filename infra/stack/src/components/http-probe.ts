/**
 * True when the URL answers 2xx within the timeout; a refused, failed or hanging connection is
 * "not yet", not an error (a port that accepts but never answers must not stall a readiness wait).
 */
export async function answersOk(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutMs) })).ok;
  } catch {
    return false;
  }
}
