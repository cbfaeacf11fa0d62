import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { pipeline } from 'node:stream';
import express from 'express';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import type { Logger } from 'pino';
import proxyAddr from 'proxy-addr';
import { anonymous, requireAdmin, requireUser, type Principal } from '../auth/principal.js';
import type { PrincipalResolver } from '../auth/principal-resolver.js';
import { clientGoneOf, type ClientGone } from '../db/query-cancellation.js';
import { checkAnswer } from './declared-answers.js';
import { HearthError } from '../errors/index.js';
import { observeRequest, type Metrics, type RoutedRequest } from '../ops/metrics.js';
import { jsonBody } from './json-body.js';
import { logCompletion, pathOf, tagRequest, type TaggedRequest } from './request-logging.js';
import type { CallerNeed, Method, Route, RouteRequest, RouteResult } from './route.js';
import { apiSecurityHeaders, corsPolicy } from './security.js';
import { sendError, toHearthError } from './send-error.js';
import { validateBody, validateQuery } from './validate-input.js';

export interface DispatcherOptions {
  /** Every route Hearth serves itself (api-routes.ts). */
  routes: Route[];
  /** Where requests no route matches go: the Express app (the dashboard's files, and its 404). */
  fallback: RequestListener;
  logger: Logger;
  metrics: Metrics | undefined;
  corsOrigins: string[];
  principals: PrincipalResolver;
  /** HEARTH_BODY_LIMIT. */
  bodyLimit: number;
  /** HEARTH_TRUST_PROXY: whose X-Forwarded-For gives the client address (as Express's `trust proxy`). */
  trustProxy: string[];
}

type Request = TaggedRequest & RoutedRequest & { body?: unknown };
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const apiSecurityHeaderList = apiSecurityHeaders.flat();

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function isFormPost(req: IncomingMessage): boolean {
  return /^application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '');
}

/**
 * The RouteRequest a handler gets: one class, so every request has the same
 * shape and no per-request closures; what few routes read is worked out on use.
 */
class DispatchedRequest implements RouteRequest {
  readonly headers: IncomingHttpHeaders;
  readonly log: Logger;
  readonly reqId: string;

  constructor(
    private readonly req: TaggedRequest,
    private readonly res: ServerResponse,
    private readonly trustProxy: (address: string, hop: number) => boolean,
    readonly method: Method,
    readonly principal: Principal,
    readonly params: unknown,
    readonly query: unknown,
    readonly body: unknown,
  ) {
    this.headers = req.headers;
    this.log = req.log;
    this.reqId = req.id;
  }

  /** Only the routes that use it (sign-ins, writes) pay for parsing X-Forwarded-For. */
  get ip(): string | undefined {
    return proxyAddr(this.req, this.trustProxy);
  }

  get userAgent(): string | undefined {
    return this.headers['user-agent'];
  }

  get remoteAddress(): string | undefined {
    return this.req.socket.remoteAddress;
  }

  /** An own property, so a handler may destructure it like the rest. */
  readonly clientGone = (): ClientGone => clientGoneOf(this.req, this.res);
}

/** Path parameters that fail their schema name no resource: the route's own not-found, else http/not-found. */
function paramsOf(route: Route, raw: Record<string, string>): unknown {
  if (!route.params) return raw;
  const parsed = route.params.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw route.invalidParams?.(parsed.error.issues) ?? new HearthError('http/not-found');
}

function principalFor(need: CallerNeed, principal: Principal): Principal {
  if (need === 'user') return requireUser(principal);
  if (need === 'admin') return requireAdmin(principal);
  return principal;
}

/** Whether a path that matched no route failed only because it is not valid percent-encoding. */
function malformedPath(path: string): boolean {
  if (!path.includes('%')) return false;
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/**
 * The front of the HTTP server and the one place routes are dispatched.
 * Every request gets its id, its log line, its metrics and CORS here, once;
 * then find-my-way matches it against the route table (case-sensitive, a
 * trailing slash ignored, parameters percent-decoded), and the dispatcher
 * reads and checks its input, resolves and checks the caller, runs the
 * handler and writes its answer. What no route matches goes to Express.
 */
export function createDispatcher(options: DispatcherOptions): RequestListener {
  const { fallback, logger, metrics, principals } = options;
  const cors = corsPolicy(options.corsOrigins);
  const trustProxy = proxyAddr.compile(options.trustProxy);
  const router = FindMyWay({ ignoreTrailingSlash: true, caseSensitive: true });
  for (const route of options.routes) {
    router.on(route.method, route.path, () => undefined, route);
    if (route.method === 'GET') router.on('HEAD', route.path, () => undefined, route);
  }
  // The same body checks for every route (415, 400, 413, forbidden keys), run on the raw request.
  const readJson = jsonBody({ limit: options.bodyLimit });
  const readForm = express.urlencoded({ extended: false, limit: '64kb' }) as unknown as Middleware;

  function readBody(req: Request, res: ServerResponse, route: Route, done: (error?: unknown) => void): void {
    if (!hasBody(req)) return done();
    if (route.bodyFormat === 'json-or-form' && isFormPost(req)) return readForm(req, res, done);
    readJson(req, res, done);
  }

  function sendFailure(req: TaggedRequest, res: ServerResponse, error: unknown, route?: Route): void {
    if (res.headersSent) return void res.destroy();
    for (const [name, value] of apiSecurityHeaders) res.setHeader(name, value);
    const failure = toHearthError(error, req.log, req.id);
    if (route) checkAnswer(route, failure.status, failure.code);
    sendError(res, failure);
  }

  function write(req: Request, res: ServerResponse, result: RouteResult): void {
    // One writeHead with a flat [name, value, ...] list: the headers set earlier (request id, CORS) merge in.
    const head = apiSecurityHeaderList.slice();
    if (result.kind === 'redirect') {
      head.push('Location', result.location, 'Content-Length', '0');
      res.writeHead(result.status, head);
      return void res.end();
    }
    if (result.headers) for (const name in result.headers) head.push(name, result.headers[name]!);
    if (result.kind === 'empty') {
      res.writeHead(result.status, head);
      return void res.end();
    }
    if (result.kind === 'stream') {
      head.push('Content-Type', result.contentType);
      res.writeHead(result.status, head);
      if (req.method === 'HEAD') {
        result.body.destroy();
        return void res.end();
      }
      return void pipeline(result.body, res, (error) => {
        if (error) req.log.warn({ reqId: req.id, err: error }, 'a streamed answer ended early');
      });
    }
    const text = result.kind === 'text' ? result.body : JSON.stringify(result.body);
    head.push(
      'Content-Type',
      result.kind === 'text' ? result.contentType : 'application/json; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(text)),
    );
    res.writeHead(result.status, head);
    if (req.method === 'HEAD') res.end();
    else res.end(text);
  }

  async function serve(req: Request, res: ServerResponse, route: Route, rawParams: Record<string, string>) {
    try {
      const authorization = route.caller === 'public' ? undefined : req.headers.authorization;
      const principal = authorization === undefined ? anonymous : await principals.resolve(authorization);
      const url = req.url ?? '/';
      const queryStart = url.indexOf('?');
      const rawQuery = queryStart === -1 ? {} : parseQuery(url.slice(queryStart + 1));
      const request = new DispatchedRequest(
        req,
        res,
        trustProxy,
        route.method,
        principalFor(route.caller, principal),
        paramsOf(route, rawParams),
        route.query ? validateQuery(route.query, rawQuery, route.invalidQuery) : rawQuery,
        route.body ? validateBody(route.body, req.body, route.invalidBody) : req.body,
      );
      const result = await route.handle(request as never);
      checkAnswer(route, result.status);
      write(req, res, result);
    } catch (error) {
      sendFailure(req, res, error, route);
    }
  }

  function dispatch(req: Request, res: ServerResponse): void {
    const url = req.url ?? '/';
    const path = pathOf(url);
    // The path alone: find-my-way would parse a query string too, which serve() reads itself.
    const found = router.find(req.method as HTTPMethod, path);
    const route = found?.store as Route | undefined;
    if (!found || !route) {
      if (malformedPath(path)) return sendFailure(req, res, new HearthError('http/malformed-url'));
      return fallback(req, res);
    }
    req.routeTemplate = route.path;
    readBody(req, res, route, (error) => {
      if (error) sendFailure(req, res, error, route);
      else void serve(req, res, route, found.params as Record<string, string>);
    });
  }

  return (rawReq, res) => {
    const req = tagRequest(rawReq, res, logger) as Request;
    const startedAt = performance.now();
    res.once('finish', () => {
      logCompletion(req, res, startedAt);
      if (metrics) observeRequest(metrics, req, res.statusCode, startedAt);
    });
    cors(req, res, (error) => {
      if (error) sendError(res, toHearthError(error, req.log, req.id));
      else dispatch(req, res);
    });
  };
}
