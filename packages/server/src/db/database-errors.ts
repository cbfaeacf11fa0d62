import { HearthError } from '../errors/index.js';

/** What a client should wait before retrying, in seconds, by code. */
const RETRY_AFTER = { 'db/busy': '1', 'db/timeout': '1', 'db/unavailable': '2' } as const;

/** Node's socket errors that mean "the database is not there" (refused, reset, unreachable). */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** pg's own messages for a connection that died, timed out while opening, or was closed under a query. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout expired',
];

interface PgLikeError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

function codeOf(error: PgLikeError): string | undefined {
  if (typeof error.code === 'string') return error.code;
  // Node's happy-eyeballs connect (localhost as ::1 and 127.0.0.1) fails with an AggregateError.
  if (Array.isArray(error.errors)) {
    const inner = error.errors.find((e: PgLikeError) => typeof e?.code === 'string') as
      PgLikeError | undefined;
    return inner?.code as string | undefined;
  }
  return undefined;
}

/** No database connection came free in time (also: a bulkhead in front of the pool was full). */
export function databaseBusy(cause?: unknown): HearthError {
  return new HearthError('db/busy', undefined, {
    headers: { 'Retry-After': RETRY_AFTER['db/busy'] },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The request's client went away, so its statement was cancelled; nobody reads the answer. */
export function requestAborted(): HearthError {
  return new HearthError('db/timeout', 'The client went away; its query was cancelled.', {
    headers: { 'Retry-After': RETRY_AFTER['db/timeout'] },
  });
}

function unavailable(cause: unknown): HearthError {
  return new HearthError('db/unavailable', undefined, {
    headers: { 'Retry-After': RETRY_AFTER['db/unavailable'] },
    cause,
  });
}

/**
 * The table error for a failure of the database itself, as opposed to a
 * failure of the request: the pool had no free connection in time (`db/busy`),
 * the statement ran past HEARTH_DATABASE_STATEMENT_TIMEOUT_MS or was cancelled
 * (`db/timeout`), or the database is down, restarting or unreachable
 * (`db/unavailable`). All three are 503 with Retry-After; none is a 500.
 * Undefined for anything else (a constraint violation is the caller's to map).
 */
export function fromDatabaseError(error: unknown): HearthError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const pgError = error as PgLikeError;
  const message = typeof pgError.message === 'string' ? pgError.message : '';
  const code = codeOf(pgError);

  if (message === 'timeout exceeded when trying to connect' || code === '53300') {
    // pg-pool waited HEARTH_DATABASE_POOL_WAIT_MS for a connection; 53300: too many connections.
    return databaseBusy(error);
  }
  if (code === '40P01' || code === '40001') {
    // deadlock_detected, serialization_failure: PostgreSQL aborted this statement in favour of a
    // concurrent one (two cascading deletes crossing, say). Nothing was written; a retry succeeds.
    return new HearthError(
      'db/busy',
      'The database gave way to a concurrent change; nothing was written. Retry after the time in Retry-After.',
      { headers: { 'Retry-After': RETRY_AFTER['db/busy'] }, cause: error },
    );
  }
  if (code === '57014') {
    // query_canceled: the statement timeout, or a cancel sent because the client went away.
    return new HearthError('db/timeout', undefined, {
      headers: { 'Retry-After': RETRY_AFTER['db/timeout'] },
      cause: error,
    });
  }
  // Class 08: connection exception; 57P01-57P03: admin/crash shutdown, cannot connect now.
  if (code !== undefined && (code.startsWith('08') || /^57P0[1-3]$/.test(code))) return unavailable(error);
  if (code !== undefined && SOCKET_CODES.has(code)) return unavailable(error);
  if (CONNECTION_MESSAGES.some((text) => message.startsWith(text))) return unavailable(error);
  if (message === 'Cannot use a pool after calling end on the pool') return unavailable(error);
  return undefined;
}
