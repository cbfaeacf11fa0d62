import type { RequestListener } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Admin } from '../admin/create-admin.js';
import type { Auth } from '../auth/create-auth.js';
import type { Collections } from '../collections/create-collections.js';
import type { HearthConfig } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { DatabaseHealth } from '../ops/database-health.js';
import type { Metrics } from '../ops/metrics.js';
import type { ReadinessCheck } from '../ops/readiness.js';
import { apiRoutes, expressRoutes } from './api-routes.js';
import { createDispatcher } from './dispatcher.js';
import { errorHandler, notFound } from './error-handler.js';
import { securityHeadersMiddleware } from './security.js';

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
  /** Service keys and user administration (src/admin). */
  admin: Admin;
  /** Schema, records and their change events (src/collections). */
  collections: Collections;
}

/**
 * The HTTP server's request listener: the dispatcher serves every route in
 * the table (api-routes.ts); what it does not match goes to Express, which
 * serves the dashboard's files with helmet's full set of headers, and
 * answers everything else with 404 http/not-found.
 */
export function createApp(context: AppContext): RequestListener {
  const { config } = context;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy.length > 0 ? config.trustProxy : false);
  app.set('etag', false);
  app.use(securityHeadersMiddleware({ publicUrl: config.publicUrl }));
  for (const router of expressRoutes()) app.use(router);
  app.use(notFound);
  app.use(errorHandler);

  return createDispatcher({
    routes: apiRoutes(context),
    fallback: app,
    logger: context.logger,
    metrics: context.metrics,
    corsOrigins: config.corsOrigins,
    principals: context.auth.principals,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
  });
}
