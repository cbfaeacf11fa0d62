import { Router } from 'express';
import { HearthError } from '../errors/index.js';
import type { Metrics } from './metrics.js';
import { runReadinessChecks, type ReadinessCheck } from './readiness.js';

export interface OpsRoutesOptions {
  checks: ReadinessCheck[];
  metrics: Metrics | undefined;
}

export function opsRoutes({ checks, metrics }: OpsRoutesOptions): Router {
  const router = Router();

  router.get('/health', (_req, res) => {
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
    router.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  return router;
}
