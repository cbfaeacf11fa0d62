import { HearthError } from '../errors/index.js';
import { json, route, text, type Route } from '../http/route.js';
import type { DatabaseHealth } from './database-health.js';
import type { Metrics } from './metrics.js';
import { checkMetricsAccess } from './metrics-access.js';
import { runReadinessChecks, type ReadinessCheck } from './readiness.js';

export interface OpsRoutesOptions {
  checks: ReadinessCheck[];
  metrics: Metrics | undefined;
  databaseHealth: DatabaseHealth;
  /** HEARTH_METRICS_TOKEN; without it, /metrics answers only on loopback. */
  metricsToken: string | undefined;
}

const status = { type: 'object', properties: { status: { const: 'ok' } }, required: ['status'] };

/** /health, /ready and /metrics (docs/self-hosting.md). */
export function opsRoutes({ checks, metrics, databaseHealth, metricsToken }: OpsRoutesOptions): Route[] {
  const routes = [
    route({
      method: 'GET',
      path: '/health',
      operationId: 'getHealth',
      summary: 'Liveness: 200 while this process serves, or is recovering by itself.',
      tag: 'Operations',
      caller: 'public',
      responses: { 200: { description: 'The process is up.', schema: status } },
      errors: ['db/unavailable'],
      handle() {
        const seconds = databaseHealth.failingFor();
        if (seconds !== undefined) {
          throw new HearthError('db/unavailable', `The database has been unreachable for ${seconds} s.`, {
            details: { unreachableSeconds: seconds },
          });
        }
        return json({ status: 'ok' });
      },
    }),
    route({
      method: 'GET',
      path: '/ready',
      operationId: 'getReady',
      summary: 'Readiness: 200 when the database, storage and (if configured) Redis answer.',
      tag: 'Operations',
      caller: 'public',
      responses: {
        200: {
          description: 'Every dependency answers.',
          schema: { ...status, properties: { ...status.properties, checks: { type: 'object' } } },
        },
      },
      errors: ['ops/not-ready'],
      async handle() {
        const results = await runReadinessChecks(checks);
        const failing = Object.entries(results).filter(([, result]) => !result.ok);
        if (failing.length > 0) {
          const names = failing.map(([name]) => name).join(', ');
          throw new HearthError('ops/not-ready', `Not ready: ${names} unreachable.`, {
            details: { checks: results },
          });
        }
        return json({ status: 'ok', checks: results });
      },
    }),
  ];
  if (metrics) {
    routes.push(
      route({
        method: 'GET',
        path: '/metrics',
        operationId: 'getMetrics',
        summary: 'Prometheus metrics: with HEARTH_METRICS_TOKEN as a bearer token, else from loopback only.',
        tag: 'Operations',
        caller: 'public',
        responses: {
          200: { description: 'The metrics, in the Prometheus text format.', contentType: 'text/plain' },
        },
        errors: ['auth/unauthenticated', 'auth/invalid-token', 'auth/forbidden'],
        async handle(request) {
          checkMetricsAccess(request, metricsToken);
          return text(await metrics.registry.metrics(), metrics.registry.contentType);
        },
      }),
    );
  }
  return routes;
}
