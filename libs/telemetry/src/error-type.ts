/**
 * `error.type` for a thrown value, as the semantic conventions define it: the exception's type name
 * when there is one, else `_OTHER` (never the JavaScript typeof, which says nothing about the failure).
 */
export function errorTypeOf(error: unknown): string {
  const name = error instanceof Error ? error.constructor.name || error.name : undefined;
  return name || '_OTHER';
}
