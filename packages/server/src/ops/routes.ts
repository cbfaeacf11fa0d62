import { Router } from 'express';
import { HearthError } from '../errors/index.js';
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

export function opsRoutes({ checks, metrics, databaseHealth, metricsToken }: OpsRoutesOptions): Router {
  const router = Router();

  // Liveness: 200 while this process serves, or is recovering by itself (docs/self-hosting.md).
  router.get('/health', (_req, res) => {
    const seconds = databaseHealth.failingFor();
    if (seconds !== undefined) {
      throw new HearthError('db/unavailable', `The database has been unreachable for ${seconds} s.`, {
        details: { unreachableSeconds: seconds },
      });
    }
    res.json({ status: 'ok' });
  });

  router.get('/ready', async (_req, res) => {
    const results = await runReadinessChecks(checks);
    const failing = Object.entries(results).filter(([, result]) => !result.ok);
    if (failing.length > 0) {
      const names = failing.map(([name]) => name).join(', ');
      throw new HearthError('ops/not-ready', `Not ready: ${names} unreachable.`, {
        details: { checks: results },
      });
    }
    res.json({ status: 'ok', checks: results });
  });

  if (metrics) {
    router.get('/metrics', async (req, res) => {
      checkMetricsAccess(req, metricsToken);
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  return router;
}
