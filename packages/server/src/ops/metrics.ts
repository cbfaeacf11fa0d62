import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What a delivery attempt came to: sent, failed for now (retried later), or failed for good. */
export type MailDeliveryOutcome = 'sent' | 'retry' | 'failed';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Rows the periodic cleanup deleted, by table (src/ops/cleanup.ts). */
  cleanupDeletedRows: Counter<'table'>;
  /** SMTP delivery attempts by outcome (src/mail/mail-delivery.ts). */
  mailDeliveries: Counter<'outcome'>;
}

/** Where gauges read their values when /metrics is scraped. */
export interface MetricSources {
  /** Mail waiting for delivery and mail that failed for good, counted in one query. */
  outboxByStatus?: () => Promise<{ queued: number; failed: number }>;
  /** Where a failed read is logged; the scrape still answers, without that gauge. */
  logger?: Logger;
}

/** One registry per app, so several apps in one process (tests) never collide. */
export function createMetrics(sources: MetricSources = {}): Metrics {
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
  const mailDeliveries = new Counter({
    name: 'hearth_mail_deliveries_total',
    help: 'SMTP delivery attempts by outcome: sent, retry (failed for now, tried again later) or failed (for good).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of ['sent', 'retry', 'failed'] satisfies MailDeliveryOutcome[]) {
    mailDeliveries.inc({ outcome }, 0);
  }
  const { outboxByStatus, logger } = sources;
  if (outboxByStatus) {
    new Gauge({
      name: 'hearth_mail_outbox_messages',
      help: 'Mail in hearth.outbox by status: queued (waiting for delivery) or failed (given up; an admin may retry it).',
      labelNames: ['status'] as const,
      registers: [registry],
      // Read at scrape time from the database, so every node reports the same shared queue.
      async collect() {
        try {
          const counts = await outboxByStatus();
          this.set({ status: 'queued' }, counts.queued);
          this.set({ status: 'failed' }, counts.failed);
        } catch (error) {
          this.reset();
          logger?.warn({ err: error }, 'could not count the mail outbox for /metrics');
        }
      },
    });
  }
  return { registry, httpDuration, cleanupDeletedRows, mailDeliveries };
}

/** Where the route template of a request is found once it has been routed. */
export interface RoutedRequest extends IncomingMessage {
  /** Set by the dispatcher for the routes in the table. */
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

/** The labelled series per method, route and status: finding one by its labels hashes them every time. */
const seriesCache = new WeakMap<Metrics, Map<string, { observe(value: number): void }>>();

/** Records a finished request's duration. */
export function observeRequest(
  metrics: Metrics,
  req: RoutedRequest,
  status: number,
  startedAt: number,
): void {
  let cache = seriesCache.get(metrics);
  if (!cache) seriesCache.set(metrics, (cache = new Map()));
  const method = req.method ?? 'GET';
  const route = routeTemplate(req);
  const key = `${method} ${status} ${route}`;
  let series = cache.get(key);
  if (!series) {
    series = metrics.httpDuration.labels({ method, route, status: String(status) });
    cache.set(key, series);
  }
  series.observe((performance.now() - startedAt) / 1000);
}
