import { statusOf, type ErrorCode } from '../errors/index.js';
import type { Route } from './route.js';

/** A bearer token that does not hold: what resolving any caller's token may answer (auth/principal-resolver.ts). */
const TOKEN_ERRORS: readonly ErrorCode[] = [
  'auth/invalid-token',
  'auth/token-expired',
  'auth/session-revoked',
];
/** What the dispatcher answers for a body it cannot read (http/json-body.ts). */
const BODY_ERRORS: readonly ErrorCode[] = [
  'http/invalid-json',
  'http/forbidden-key',
  'http/payload-too-large',
  'http/unsupported-media-type',
];
/** The database cannot serve the request now (db/database-errors.ts). */
const DATABASE_ERRORS: readonly ErrorCode[] = ['db/busy', 'db/timeout', 'db/unavailable'];

/**
 * The table errors a route may answer with without declaring them, because
 * the dispatcher answers them for it:
 * - a caller other than `public` has its bearer token read: 401 when it does
 *   not hold, and, since that reads the sessions, 503 when the database cannot;
 * - `user` and `admin`: 401 signed out, 403 for the wrong kind of caller;
 * - path parameters that fail `params`: 404 (`invalidParams`, else http/not-found);
 * - a `query`: `invalidQuery`'s code (else 400 validation/failed) for one that fails it;
 * - a `body`: `invalidBody`'s code (else 400 validation/failed) for one that fails it;
 * - every route: 400, 413 and 415 for a body it cannot read (the dispatcher
 *   reads a request's body whatever the route, as Express's parser did), and
 *   500 internal.
 * Rate limits (429) and, for `public` routes, the database (503) are declared
 * by the routes that meet them, in `errors`.
 */
export function implicitErrors(route: Route): ErrorCode[] {
  const codes = new Set<ErrorCode>([...BODY_ERRORS, 'internal']);
  if (route.caller !== 'public') for (const code of [...TOKEN_ERRORS, ...DATABASE_ERRORS]) codes.add(code);
  if (route.caller === 'user' || route.caller === 'admin') {
    codes.add('auth/unauthenticated');
    codes.add('auth/forbidden');
  }
  if (route.params) codes.add(route.invalidParams?.([]).code ?? 'http/not-found');
  if (route.query) codes.add(route.invalidQuery?.([]).code ?? 'validation/failed');
  if (route.body) codes.add(route.invalidBody?.([]).code ?? 'validation/failed');
  return [...codes];
}

/** Every error code a route may answer with: its own `errors` and the implicit ones, in table order of first mention. */
export function routeErrors(route: Route): ErrorCode[] {
  return [...new Set([...(route.errors ?? []), ...implicitErrors(route)])];
}

/** The route's error codes grouped by HTTP status, statuses ascending. */
export function errorsByStatus(route: Route): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrors(route)) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

/** Every status a route may answer: its documented successes and its errors' statuses. */
export function declaredStatuses(route: Route): number[] {
  const statuses = new Set([...Object.keys(route.responses).map(Number), ...errorsByStatus(route).keys()]);
  return [...statuses].sort((a, b) => a - b);
}

/** An answer a route gave that its declaration does not list. */
export interface UndeclaredAnswer {
  method: string;
  path: string;
  status: number;
  /** The error code, for an error answer. */
  code?: ErrorCode;
}

type AnswerCheck = (answer: UndeclaredAnswer) => void;

let check: AnswerCheck | undefined;

/**
 * Tests call this to hear of every answer a route gives that its declaration
 * does not list (testkit's declared-answers setup fails the file listing
 * them). Outside tests nothing is installed and the dispatcher's check is one
 * `undefined` test per request. Returns the function that uninstalls it.
 */
export function onUndeclaredAnswer(listener: AnswerCheck): () => void {
  check = listener;
  return () => {
    if (check === listener) check = undefined;
  };
}

/** Called by the dispatcher for every answer of a route: a success's status, or an error's code. */
export function checkAnswer(route: Route, status: number, code?: ErrorCode): void {
  if (!check) return;
  const declared = code === undefined ? status in route.responses : routeErrors(route).includes(code);
  if (!declared) check({ method: route.method, path: route.path, status, ...(code ? { code } : {}) });
}
