/**
 * The version (ETag) of each record the SDK received from a single-record
 * call, kept beside the record rather than in it, so records stay exactly
 * the server's JSON (and `JSON.stringify` of one round-trips).
 */
const etags = new WeakMap<object, string>();

/** @internal */
export function rememberEtag(record: unknown, etag: string | null): void {
  if (etag !== null && etag !== '' && typeof record === 'object' && record !== null) etags.set(record, etag);
}

/**
 * The ETag of a record returned by `get`, `create` or `update` (undefined for
 * list items, batch results and copies): pass it as `update(id, patch, { ifMatch })`
 * to write only if nobody changed the record since.
 */
export function etagOf(record: object): string | undefined {
  return etags.get(record);
}
