import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Principal, ServicePrincipal, UserPrincipal } from '../auth/principal.js';
import type { ClientGone } from '../db/query-cancellation.js';
import type { ErrorCode, HearthError } from '../errors/index.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route. The dispatcher checks it before the handler runs:
 * - `public`: anyone, and a bearer token is not even read (health checks, /metrics, which reads its own);
 * - `anyone`: no token needed (rules, or the handler, decide the rest);
 * - `user`: a signed-in user, anonymous users included; 401 signed out, 403 for a service key;
 * - `admin`: an admin user or a service key; 401 signed out, 403 for anyone else.
 */
export type CallerNeed = 'public' | 'anyone' | 'user' | 'admin';

export type PrincipalFor<N extends CallerNeed> = N extends 'user'
  ? UserPrincipal
  : N extends 'admin'
    ? UserPrincipal | ServicePrincipal
    : Principal;

/** What a handler gets: parsed, checked, plain values, no framework objects. */
export interface RouteRequest<N extends CallerNeed = CallerNeed, P = unknown, Q = unknown, B = unknown> {
  principal: PrincipalFor<N>;
  /** Path parameters, percent-decoded, checked against the route's `params` schema. */
  params: P;
  /** The query, checked against the route's `query` schema (a repeated key arrives as an array). */
  query: Q;
  /** The JSON (or form) body, checked against the route's `body` schema; undefined when it had none. */
  body: B;
  /** GET for a HEAD request too. */
  method: Method;
  headers: IncomingHttpHeaders;
  /** The caller's address: X-Forwarded-For only from HEARTH_TRUST_PROXY, as Express's req.ip. */
  ip: string | undefined;
  userAgent: string | undefined;
  /** The connection's own peer address, whatever any proxy says (for loopback-only routes). */
  remoteAddress: string | undefined;
  /** Aborted when the client disconnects before the answer; for cancellableDb (src/db/pool.ts). Made on first call. */
  clientGone(): ClientGone;
  log: Logger;
  reqId: string;
}

/** A handler's answer. Build one with `json`, `noContent`, `redirect`, `text` or `stream` below. */
export type RouteResult =
  | { kind: 'json'; status: number; headers?: Record<string, string>; body: unknown }
  | { kind: 'empty'; status: number; headers?: Record<string, string> }
  | { kind: 'redirect'; status: 301 | 302 | 303 | 307 | 308; location: string }
  | { kind: 'text'; status: number; contentType: string; headers?: Record<string, string>; body: string }
  | { kind: 'stream'; status: number; contentType: string; headers?: Record<string, string>; body: Readable };

export const json = (body: unknown, status = 200, headers?: Record<string, string>): RouteResult => ({
  kind: 'json',
  status,
  body,
  ...(headers ? { headers } : {}),
});

export const noContent = (status = 204, headers?: Record<string, string>): RouteResult => ({
  kind: 'empty',
  status,
  ...(headers ? { headers } : {}),
});

export const redirect = (location: string, status: 301 | 302 | 303 | 307 | 308 = 302): RouteResult => ({
  kind: 'redirect',
  status,
  location,
});

export const text = (body: string, contentType: string, status = 200): RouteResult => ({
  kind: 'text',
  status,
  contentType,
  body,
});

export const stream = (
  body: Readable,
  contentType: string,
  status = 200,
  headers?: Record<string, string>,
): RouteResult => ({ kind: 'stream', status, contentType, body, ...(headers ? { headers } : {}) });

/** One documented success answer, for the generated OpenAPI document. */
export interface ResponseDoc {
  description: string;
  /** The body's JSON schema (zod, or a plain JSON Schema object such as a `$ref`); none for an empty answer. */
  schema?: z.ZodType | Record<string, unknown>;
  /** Defaults to application/json when a schema is given. */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * One route: everything the dispatcher, the OpenAPI document and the tests
 * need to know about it, in one declaration. Bound in `api-routes.ts`.
 */
export interface Route<
  N extends CallerNeed = CallerNeed,
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: Method;
  /** find-my-way template, e.g. `/api/collections/:name/records/:id`; also the metrics label. */
  path: string;
  /** Unique, camelCase; client generators name their methods after it. */
  operationId: string;
  summary: string;
  /** The OpenAPI tag: the domain it belongs to (Records, Auth, Admin, ...). */
  tag: string;
  caller: N;
  params?: P;
  /** The error for path parameters that fail `params` (a malformed id names no record); http/not-found by default. */
  invalidParams?: (issues: readonly z.core.$ZodIssue[]) => HearthError;
  query?: Q;
  /** The error for a query that fails `query`; 400 validation/failed listing each field by default. */
  invalidQuery?: (issues: readonly z.core.$ZodIssue[]) => HearthError;
  body?: B;
  /** The error for a body that fails `body`; 400 validation/failed listing each field by default. */
  invalidBody?: (issues: readonly z.core.$ZodIssue[]) => HearthError;
  /** The body's documented schema when `body` does not describe it (a record, checked against its collection). */
  bodyDoc?: Record<string, unknown>;
  /** The request headers it reads, with what each does (documented). */
  requestHeaders?: Record<string, string>;
  /** How the body is read: JSON (the default) or, as well, a form post (an OAuth callback). */
  bodyFormat?: 'json' | 'json-or-form';
  /** The success answers it gives, by status. */
  responses: Record<number, ResponseDoc>;
  /** The table errors it may answer with beyond those every route may (docs/errors.md); their statuses are documented. */
  errors?: readonly ErrorCode[];
  /** Left out of the OpenAPI document (the dashboard's pages, the JWKS is kept). */
  internal?: boolean;
  handle(request: RouteRequest<N, z.output<P>, z.output<Q>, z.output<B>>): Promise<RouteResult> | RouteResult;
}

/** Declares a route with its types inferred from its schemas. */
export function route<
  N extends CallerNeed,
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(definition: Route<N, P, Q, B>): Route {
  return definition as unknown as Route;
}
