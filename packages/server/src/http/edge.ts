import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import proxyAddr from 'proxy-addr';
import type { Logger } from 'pino';
import { anonymous } from '../auth/principal.js';
import { clientGoneOf } from '../db/query-cancellation.js';
import type { PrincipalResolver } from '../auth/principal-resolver.js';
import { observeRequest, type Metrics, type RoutedRequest } from '../ops/metrics.js';
import { compileEdgeRoute, matchEdgeRoute, type CompiledEdgeRoute, type EdgeRoute } from './edge-routes.js';
import { jsonBody } from './json-body.js';
import { logCompletion, pathOf, tagRequest, type TaggedRequest } from './request-logging.js';
import { apiSecurityHeaders, corsPolicy } from './security.js';
import { sendError, toHearthError } from './send-error.js';

export interface EdgeOptions {
  /** Everything the edge does not route itself. */
  app: RequestListener;
  routes: EdgeRoute[];
  logger: Logger;
  metrics: Metrics | undefined;
  corsOrigins: string[];
  principals: PrincipalResolver;
  /** HEARTH_BODY_LIMIT, for the POST routes the edge serves. */
  bodyLimit: number;
  /** HEARTH_TRUST_PROXY: whose X-Forwarded-For gives the client address (as Express's `trust proxy`). */
  trustProxy: string[];
}

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * The front of the HTTP server. Every request gets its id, its log line, its
 * metrics and CORS here, once; then the few hot routes in `routes` are served
 * directly (with the JSON API's security headers) and everything else goes to
 * the Express app (which adds helmet's full set).
 */
export function createEdge(options: EdgeOptions): RequestListener {
  const { app, logger, metrics, principals } = options;
  const cors = corsPolicy(options.corsOrigins);
  const routes = options.routes.map(compileEdgeRoute);
  const trustProxy = proxyAddr.compile(options.trustProxy);
  // The same JSON body checks as Express's (415, 400, 413, forbidden keys), run on the raw request.
  const parseBody = jsonBody({ limit: options.bodyLimit }) as unknown as (
    req: IncomingMessage & { body?: unknown },
    res: ServerResponse,
    next: (error?: unknown) => void,
  ) => void;

  async function serve(
    req: TaggedRequest & RoutedRequest,
    res: ServerResponse,
    route: EdgeRoute,
    params: Record<string, string>,
    query: string,
    body?: unknown,
  ): Promise<void> {
    try {
      const authorization = req.headers.authorization;
      const principal = authorization === undefined ? anonymous : await principals.resolve(authorization);
      const result = await route.handle({
        principal,
        params,
        query: parseQuery(query),
        log: req.log,
        ip: proxyAddr(req, trustProxy),
        userAgent: req.headers['user-agent'],
        clientGone: () => clientGoneOf(req, res),
        ...(body === undefined ? {} : { body }),
      });
      const text = JSON.stringify(result.body);
      res.statusCode = result.status ?? 200;
      for (const [name, value] of apiSecurityHeaders) res.setHeader(name, value);
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(text));
      if (req.method === 'HEAD') res.end();
      else res.end(text);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      sendEdgeError(req, res, error);
    }
  }

  function sendEdgeError(req: TaggedRequest, res: ServerResponse, error: unknown): void {
    for (const [name, value] of apiSecurityHeaders) res.setHeader(name, value);
    sendError(res, toHearthError(error, req.log, req.id));
  }

  function find(
    method: EdgeRoute['method'],
    path: string,
  ): { route: CompiledEdgeRoute; params: Record<string, string> } | undefined {
    for (const route of routes) {
      if (route.method !== method) continue;
      const params = matchEdgeRoute(route, path);
      if (params !== undefined) return { route, params };
    }
    return undefined;
  }

  function dispatch(req: TaggedRequest & RoutedRequest, res: ServerResponse): void {
    const read = (req.method === 'GET' || req.method === 'HEAD') && !hasBody(req);
    if (read || req.method === 'POST') {
      const url = req.url ?? '/';
      const path = pathOf(url);
      const found = find(read ? 'GET' : 'POST', path);
      if (found && (found.route.serves?.(req.headers) ?? true)) {
        const { route, params } = found;
        const query = url.length > path.length ? url.slice(path.length + 1) : '';
        req.routeTemplate = route.template;
        if (read) return void serve(req, res, route, params, query);
        const withBody = req as TaggedRequest & RoutedRequest & { body?: unknown };
        return parseBody(withBody, res, (error) => {
          if (error) sendEdgeError(req, res, error);
          else void serve(req, res, route, params, query, withBody.body);
        });
      }
    }
    app(req, res);
  }

  return (rawReq, res) => {
    const req = tagRequest(rawReq, res, logger) as TaggedRequest & RoutedRequest;
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
