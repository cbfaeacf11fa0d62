import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Principal } from '../auth/principal.js';
import type { ClientGone } from '../db/query-cancellation.js';

/** What an edge route handler gets: parsed, plain values, no framework objects. */
export interface EdgeRequest {
  principal: Principal;
  params: Record<string, string>;
  /** Parsed like Express's "simple" query parser: a repeated key gives an array. */
  query: Record<string, string | string[] | undefined>;
  /** A POST's parsed JSON body (undefined when it had none), checked like every body (json-body.ts). */
  body?: unknown;
  /** The caller's address: X-Forwarded-For only from HEARTH_TRUST_PROXY, as Express's req.ip. */
  ip: string | undefined;
  userAgent: string | undefined;
  /** Aborted when the client disconnects before the answer; for cancellableDb (src/db/pool.ts). Made on first call. */
  clientGone(): ClientGone;
  log: Logger;
}

export interface EdgeResponse {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/**
 * A route served by the edge before Express: for the hottest reads and the
 * record create, where Express's own per-request cost is most of the total
 * (docs/benchmarks.md). A GET route takes only body-less requests.
 */
export interface EdgeRoute {
  method: 'GET' | 'POST';
  /** Whether the edge serves this request; when false, Express does (say, for a header only it handles). */
  serves?(headers: IncomingHttpHeaders): boolean;
  /** Express-style template, e.g. `/api/collections/:name/records/:id`; also the metrics label. */
  template: string;
  handle(request: EdgeRequest): Promise<EdgeResponse>;
}

export interface CompiledEdgeRoute extends EdgeRoute {
  pattern: RegExp;
  names: string[];
}

export function compileEdgeRoute(route: EdgeRoute): CompiledEdgeRoute {
  const names: string[] = [];
  const source = route.template
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}/?$`), names };
}

/** Params decoded as Express does; undefined when one is not valid percent-encoding. */
export function matchEdgeRoute(route: CompiledEdgeRoute, path: string): Record<string, string> | undefined {
  const match = route.pattern.exec(path);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  try {
    route.names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? '');
    });
  } catch {
    return undefined;
  }
  return params;
}
