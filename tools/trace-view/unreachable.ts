/**
 * The error for a backend that did not answer: the network error's code (ECONNREFUSED, …) says more
 * than fetch's own "fetch failed".
 */
export function unreachableError(backend: string, baseUrl: string, error: unknown): Error {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new Error(`cannot reach ${backend} at ${baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error });
}
