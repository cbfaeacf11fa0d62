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
