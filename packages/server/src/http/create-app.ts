import express, { Router, type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { adminRoutes } from '../admin/routes.js';
import type { Auth } from '../auth/create-auth.js';
import { principalMiddleware } from '../auth/principal-middleware.js';
import { authRoutes } from '../auth/routes.js';
import type { Collections } from '../collections/create-collections.js';
import type { HearthConfig } from '../config/index.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import type { Pool } from '../db/pool.js';
import type { DatabaseHealth } from '../ops/database-health.js';
import type { Metrics } from '../ops/metrics.js';
import type { ReadinessCheck } from '../ops/readiness.js';
import { opsRoutes } from '../ops/routes.js';
import { errorHandler, notFound } from './error-handler.js';
import { jsonBody } from './json-body.js';
import { securityHeadersMiddleware } from './security.js';
import { installJsonResponse } from './json-response.js';

/** What every domain's routes may use. Domains take what they need from it. */
export interface AppContext {
  config: HearthConfig;
  logger: Logger;
  pool: Pool;
  /** Present when HEARTH_REDIS_URL is set; shared state (rate limits, fan-out) goes through it. */
  redis: Redis | undefined;
  metrics: Metrics | undefined;
  readinessChecks: ReadinessCheck[];
  /** Whether the database has been away too long for this process to be called healthy (/health). */
  databaseHealth: DatabaseHealth;
  /** Accounts, sessions, tokens and the caller principal (src/auth). */
  auth: Auth;
  /** Schema, records and their change events (src/collections). */
  collections: Collections;
}

/**
 * Builds the Express app. The list below is the whole HTTP surface served
 * through Express: each domain contributes one router, mounted in order. The
 * edge (src/http/edge.ts) sits in front of it and serves the few routes in
 * `collections.edgeRoutes` itself.
 */
export function createApp(context: AppContext): Express {
  const { config, metrics } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy.length > 0 ? config.trustProxy : false);
  app.set('query parser', 'simple');
  // Records carry their own strong ETags; hashing every other body is wasted work.
  app.set('etag', false);
  installJsonResponse(app);

  // Request ids, logging, metrics and CORS are the edge's (src/http/edge.ts).
  app.use(securityHeadersMiddleware({ publicUrl: config.publicUrl }));
  app.use(jsonBody({ limit: config.bodyLimit, formPaths: [/^\/api\/auth\/oauth\/[^/]+\/callback$/] }));

  const domains: Router[] = [
    opsRoutes({
      checks: context.readinessChecks,
      metrics,
      databaseHealth: context.databaseHealth,
      metricsToken: config.metricsToken,
    }),
    dashboardRoutes(),
    // Sets req.principal for every route below; a bad bearer token is a 401 here.
    Router().use(principalMiddleware(context.auth.principals)),
    authRoutes(context.auth),
    adminRoutes(context.auth),
    ...context.collections.routers,
  ];
  for (const router of domains) app.use(router);

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
