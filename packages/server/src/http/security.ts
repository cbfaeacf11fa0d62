import cors from 'cors';
import helmet from 'helmet';
import type { RequestHandler } from 'express';

const helmetOptions: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      connectSrc: ["'self'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      styleSrc: ["'self'", "'unsafe-inline'"],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
};

/**
 * The headers helmet sets with our options. They do not depend on the
 * request, so they are worked out once by running helmet against a recorder,
 * and each response then gets them in one loop instead of a dozen middleware
 * calls.
 */
function helmetHeaders(): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet(helmetOptions)({} as never, recorder as never, () => (finished = true));
  if (!finished) throw new Error('helmet did not complete synchronously');
  return headers;
}

/** Security headers suitable for a JSON API that also serves the dashboard. */
export function securityHeaders(): RequestHandler {
  const headers = helmetHeaders();
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** CORS for browser apps: bearer tokens, never cookies, so no credentials. */
export function corsPolicy(origins: string[]): RequestHandler {
  const anyOrigin = origins.includes('*');
  return cors({
    origin: anyOrigin ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Location', 'Idempotent-Replayed', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
