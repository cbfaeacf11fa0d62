import type { RequestListener } from 'node:http';
import express from 'express';
import { apiRoutes, expressRoutes } from './api-routes.js';
import type { AppContext } from './app-context.js';
import { createDispatcher } from './dispatcher.js';
import { errorHandler, notFound } from './error-handler.js';
import { securityHeadersMiddleware } from './security.js';

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

export type { AppContext } from './app-context.js';
