import type { IncomingMessage } from 'node:http';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Rows the periodic cleanup deleted, by table (src/ops/cleanup.ts). */
  cleanupDeletedRows: Counter<'table'>;
}

/** One registry per app, so several apps in one process (tests) never collide. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hearth_' });
  const httpDuration = new Histogram({
    name: 'hearth_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const cleanupDeletedRows = new Counter({
    name: 'hearth_cleanup_deleted_rows_total',
    help: 'Expired rows deleted by the periodic cleanup, by table.',
    labelNames: ['table'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, cleanupDeletedRows };
}

/** Where the route template of a request is found once it has been routed. */
export interface RoutedRequest extends IncomingMessage {
  /** Set by the edge for its own routes. */
  routeTemplate?: string;
  /** Set by Express for its routes. */
  route?: { path?: unknown };
  baseUrl?: string;
}

/** The matched route template, never the raw URL, so label cardinality stays bounded. */
function routeTemplate(req: RoutedRequest): string {
  if (req.routeTemplate !== undefined) return req.routeTemplate;
  const path = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl ?? ''}${path}`;
  return 'unmatched';
}

/** Records a finished request's duration. */
export function observeRequest(
  metrics: Metrics,
  req: RoutedRequest,
  status: number,
  startedAt: number,
): void {
  metrics.httpDuration.observe(
    { method: req.method ?? 'GET', route: routeTemplate(req), status: String(status) },
    (performance.now() - startedAt) / 1000,
  );
}
