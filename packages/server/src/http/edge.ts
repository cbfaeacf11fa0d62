import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { Logger } from 'pino';
import { anonymous } from '../auth/principal.js';
import type { PrincipalResolver } from '../auth/principal-resolver.js';
import { observeRequest, type Metrics, type RoutedRequest } from '../ops/metrics.js';
import { compileEdgeRoute, matchEdgeRoute, type EdgeRoute } from './edge-routes.js';
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

  async function serve(
    req: TaggedRequest & RoutedRequest,
    res: ServerResponse,
    route: EdgeRoute,
    params: Record<string, string>,
    query: string,
  ): Promise<void> {
    try {
      const authorization = req.headers.authorization;
      const principal = authorization === undefined ? anonymous : await principals.resolve(authorization);
      const result = await route.handle({ principal, params, query: parseQuery(query), log: req.log });
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
      for (const [name, value] of apiSecurityHeaders) res.setHeader(name, value);
      sendError(res, toHearthError(error, req.log, req.id));
    }
  }

  function dispatch(req: TaggedRequest & RoutedRequest, res: ServerResponse): void {
    if ((req.method === 'GET' || req.method === 'HEAD') && !hasBody(req)) {
      const url = req.url ?? '/';
      const path = pathOf(url);
      for (const route of routes) {
        const params = matchEdgeRoute(route, path);
        if (params === undefined) continue;
        req.routeTemplate = route.template;
        void serve(req, res, route, params, url.length > path.length ? url.slice(path.length + 1) : '');
        return;
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
