import { Router } from 'express';

/** Placeholder until the full document lands; replaced below. */
export function openApiDocument(): Record<string, unknown> {
  return { openapi: '3.1.0', info: { title: 'Hearth', version: '1' }, paths: {} };
}

export function openApiRoutes(): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  return router;
}
