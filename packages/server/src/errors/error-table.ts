/**
 * Every error code Hearth returns, with its HTTP status and default message.
 * Codes are part of the public contract: never rename or reuse a retired one.
 * docs/errors.md and the SDK's KnownErrorCode list are checked against this
 * table by a test.
 */
export const errorTable = {
  // http: the request itself is unusable
  'http/not-found': { status: 404, message: 'No route matches this method and path.' },
  'http/invalid-json': { status: 400, message: 'The request body is not valid JSON.' },
  'http/malformed-url': { status: 400, message: 'The URL path is not valid percent-encoding.' },
  'http/forbidden-key': {
    status: 400,
    message: 'The request body contains a forbidden key (__proto__, constructor or prototype).',
  },
  'http/payload-too-large': { status: 413, message: 'The request body is larger than the configured limit.' },
  'http/unsupported-media-type': {
    status: 415,
    message: 'The request body must be sent as application/json.',
  },
  'http/rate-limited': { status: 429, message: 'Too many requests; retry after the time in Retry-After.' },

  // validation: well-formed but wrong input
  'validation/failed': { status: 400, message: 'The input is invalid.' },

  // auth: accounts, sessions and tokens (docs/auth.md)
  'auth/unauthenticated': { status: 401, message: 'You must be signed in to do this.' },
  'auth/invalid-token': { status: 401, message: 'The bearer token is invalid.' },
  'auth/token-expired': { status: 401, message: 'The access token has expired.' },
  'auth/session-revoked': { status: 401, message: 'The session has ended; sign in again.' },
  'auth/invalid-credentials': { status: 401, message: 'The email or password is wrong.' },
  'auth/invalid-mfa-code': { status: 401, message: 'The MFA code is wrong or already used.' },
  'auth/mfa-code-required': {
    status: 403,
    message: 'Replacing or removing a second factor needs a current code or a recovery code.',
  },
  'auth/email-not-verified': { status: 403, message: 'Confirm your email address before signing in.' },
  'auth/user-disabled': { status: 403, message: 'This account is disabled.' },
  'auth/forbidden': { status: 403, message: 'You are not allowed to do this.' },
  'auth/recent-auth-required': {
    status: 403,
    message: 'Confirm your password (or MFA code) again to do this.',
  },
  'auth/weak-password': { status: 400, message: 'The password does not meet the password policy.' },
  'auth/email-taken': { status: 409, message: 'An account with this email already exists.' },
  'auth/link-invalid': { status: 400, message: 'This link is invalid, expired or already used.' },
  'auth/not-found': { status: 404, message: 'No such session or identity.' },
  'auth/last-sign-in-method': { status: 409, message: 'This is the only way to sign in to the account.' },
  'auth/unknown-provider': { status: 404, message: 'No OAuth provider is configured with this name.' },
  'auth/oauth-failed': { status: 400, message: 'The OAuth sign-in failed.' },
  'auth/redirect-not-allowed': {
    status: 400,
    message: 'redirectTo must be an absolute URL under the public URL or HEARTH_AUTH_REDIRECT_URLS.',
  },
  'auth/identity-conflict': {
    status: 409,
    message: 'An account with this email exists; sign in to it and link the provider.',
  },

  // admin: setup and the admin API
  'admin/invalid-setup-token': { status: 403, message: 'The setup token is wrong.' },
  'admin/setup-complete': { status: 409, message: 'The first admin already exists.' },
  'admin/not-found': { status: 404, message: 'No such user, key or mail.' },
  'admin/mail-not-failed': { status: 409, message: 'Only a mail whose delivery failed can be retried.' },
  'admin/last-admin': {
    status: 409,
    message: 'This is the last active admin; make another admin before deleting it.',
  },

  // collections, records and rules (docs/collections.md, docs/rules.md)
  'collections/not-found': { status: 404, message: 'No collection has this name.' },
  'records/not-found': { status: 404, message: 'The record does not exist, or you may not see it.' },
  'records/precondition-failed': {
    status: 412,
    message: 'The record has changed since you read it (If-Match).',
  },
  'records/idempotency-mismatch': {
    status: 422,
    message: 'This Idempotency-Key was already used with a different request.',
  },
  'records/referenced': { status: 409, message: 'Other records still refer to this record.' },
  'records/cascade-too-deep': {
    status: 409,
    message: 'The delete would cascade through more levels of relations than Hearth allows.',
  },
  'rules/denied': { status: 403, message: 'The collection rules do not allow this.' },
  'filter/invalid': { status: 400, message: 'The filter is not a valid expression for this collection.' },
  'filter/too-costly': {
    status: 400,
    message: 'The filter would do too much work (terms × relation hops); simplify it.',
  },
  'filter/forbidden-field': {
    status: 400,
    message: 'The query uses a hidden field; only admins may filter, sort or expand on it.',
  },
  'query/invalid': {
    status: 400,
    message: 'A query parameter (sort, limit, cursor, expand, fields) is invalid.',
  },
  'batch/invalid': { status: 400, message: 'The batch request is invalid.' },

  // schema: applying the schema document (PUT /api/admin/schema)
  'schema/invalid': { status: 400, message: 'The schema document or one of its rules is invalid.' },
  'schema/destructive': {
    status: 409,
    message: 'The schema change drops or narrows data; send allowDestructive to apply it.',
  },
  'schema/conflict': {
    status: 409,
    message: 'The schema changed meanwhile, or another push is in progress.',
  },
  'schema/apply-failed': { status: 409, message: 'The database refused the schema change.' },

  // db: the database cannot serve this request now (docs/self-hosting.md); retry after Retry-After
  'db/busy': {
    status: 503,
    message: 'Every database connection is in use; retry after the time in Retry-After.',
  },
  'db/timeout': {
    status: 503,
    message: 'The query ran past the statement time budget, or its client went away, and was cancelled.',
  },
  'db/unavailable': {
    status: 503,
    message: 'The database is unreachable; retry after the time in Retry-After.',
  },

  // ops
  'ops/not-ready': { status: 503, message: 'A dependency of the server is unreachable.' },

  // catch-all: details never leave the server
  internal: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorTable;

export const errorCodes = Object.keys(errorTable) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return errorTable[code].status;
}
