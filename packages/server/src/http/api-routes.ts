import type { Router } from 'express';
import { adminRoutes } from '../admin/routes.js';
import { authRoutes } from '../auth/routes.js';
import { oauthRoutes } from '../auth/oauth/oauth-routes.js';
import { openApiRoutes } from '../collections/openapi.js';
import { recordRoutes } from '../collections/record-routes.js';
import { schemaRoutes } from '../collections/schema-routes.js';
import { dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { opsRoutes } from '../ops/routes.js';
import type { AppContext } from './app-context.js';
import type { Route } from './route.js';

/**
 * Every route Hearth serves, bound in one list, domain by domain (as
 * PocketBase binds its APIs). The dispatcher (dispatcher.ts) serves them; the
 * OpenAPI document is generated from them. `expressRoutes` below lists what
 * Express serves instead, where its middleware is the point.
 */
export function apiRoutes(context: AppContext): Route[] {
  const { admin, auth, collections, config } = context;
  const routes: Route[] = [
    ...opsRoutes({
      checks: context.readinessChecks,
      metrics: context.metrics,
      databaseHealth: context.databaseHealth,
      metricsToken: config.metricsToken,
    }),
    ...authRoutes(auth),
    ...oauthRoutes(auth),
    ...adminRoutes(auth, admin),
    ...schemaRoutes(collections.schemas),
    ...recordRoutes(collections),
  ];
  return [...routes, ...openApiRoutes(routes)];
}

/** Served by Express (create-app.ts), after the table: the dashboard's static files and its SPA fallback. */
export function expressRoutes(): Router[] {
  return [dashboardRoutes()];
}
