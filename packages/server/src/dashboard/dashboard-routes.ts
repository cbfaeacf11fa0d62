import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { Router } from 'express';
import { HearthError } from '../errors/index.js';

/** Where the dashboard's build lives, or undefined when it was never built. */
export function findDashboardBuild(): string | undefined {
  try {
    const packageJson = createRequire(import.meta.url).resolve('@hearth/dashboard/package.json');
    const dist = join(dirname(packageJson), 'dist');
    return existsSync(join(dist, 'index.html')) ? dist : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves the admin dashboard at /_/. Hashed assets are cached for good;
 * every other path under /_/ gets index.html so the SPA's own router decides.
 */
export function dashboardRoutes(buildDir = findDashboardBuild()): Router {
  const router = Router();
  // Non-strict routing treats /_ and /_/ alike, so tell them apart by the raw path.
  router.get('/_', (req, res, next) => (req.path === '/_' ? res.redirect(301, '/_/') : next()));
  if (!buildDir) {
    router.get('/_{/*path}', () => {
      throw new HearthError('http/not-found', 'The dashboard is not built; run `pnpm build`.');
    });
    return router;
  }
  router.use(
    '/_/assets',
    express.static(join(buildDir, 'assets'), { immutable: true, maxAge: '1y', index: false }),
    () => {
      throw new HearthError('http/not-found', 'No such dashboard asset.');
    },
  );
  router.get('/_{/*path}', (_req, res) => {
    res.set('Cache-Control', 'no-cache');
    res.sendFile(join(buildDir, 'index.html'));
  });
  return router;
}
