/**
 * The error codes this SDK knows. The server's error table, docs/errors.md
 * and this list are kept in step by a test in the server package.
 */
export const knownErrorCodes = [
  'http/not-found',
  'http/invalid-json',
  'http/forbidden-key',
  'http/payload-too-large',
  'http/unsupported-media-type',
  'http/rate-limited',
  'validation/failed',
  'ops/not-ready',
  'internal',
] as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

/** Known codes autocomplete; codes added by a newer server are still accepted. */
export type ErrorCode = KnownErrorCode | (string & {});

/** Codes the SDK itself produces when no server answer could be read. */
export const clientErrorCodes = ['client/network', 'client/invalid-response', 'client/aborted'] as const;
