/**
 * The error codes this SDK knows. The server's error table, docs/errors.md
 * and this list are kept in step by a test in the server package.
 */
export const knownErrorCodes = [
  'http/not-found',
  'http/invalid-json',
  'http/malformed-url',
  'http/forbidden-key',
  'http/payload-too-large',
  'http/unsupported-media-type',
  'http/rate-limited',
  'validation/failed',
  'auth/unauthenticated',
  'auth/invalid-token',
  'auth/token-expired',
  'auth/session-revoked',
  'auth/invalid-credentials',
  'auth/invalid-mfa-code',
  'auth/mfa-code-required',
  'auth/email-not-verified',
  'auth/user-disabled',
  'auth/forbidden',
  'auth/recent-auth-required',
  'auth/weak-password',
  'auth/email-taken',
  'auth/link-invalid',
  'auth/not-found',
  'auth/last-sign-in-method',
  'auth/unknown-provider',
  'auth/oauth-failed',
  'auth/redirect-not-allowed',
  'auth/identity-conflict',
  'admin/invalid-setup-token',
  'admin/setup-complete',
  'admin/not-found',
  'admin/mail-not-failed',
  'admin/last-admin',
  'collections/not-found',
  'records/not-found',
  'records/precondition-failed',
  'records/idempotency-mismatch',
  'records/referenced',
  'records/cascade-too-deep',
  'rules/denied',
  'filter/invalid',
  'filter/too-costly',
  'filter/forbidden-field',
  'query/invalid',
  'batch/invalid',
  'schema/invalid',
  'schema/destructive',
  'schema/conflict',
  'schema/apply-failed',
  'db/busy',
  'db/timeout',
  'db/unavailable',
  'ops/not-ready',
  'internal',
] as const;

export type KnownErrorCode = (typeof knownErrorCodes)[number];

/** Known codes autocomplete; codes added by a newer server are still accepted. */
export type ErrorCode = KnownErrorCode | (string & {});

/** Codes the SDK itself produces when no server answer could be read. */
export const clientErrorCodes = [
  'client/network',
  'client/invalid-response',
  'client/aborted',
  'client/invalid-session',
] as const;
