import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import helmet from 'helmet';

function helmetOptions(https: boolean): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: ["'none'"],
        // Helmet adds it by default; null leaves it out.
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // Browsers ignore COOP on an untrustworthy (plain HTTP) origin, and say so in the console.
    crossOriginOpenerPolicy: https,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  };
}

/**
 * The headers helmet sets with our options. They do not depend on the
 * request beyond its scheme, so they are worked out once per scheme by
 * running helmet against a recorder, and each response then gets them in one loop.
 *
 * `upgrade-insecure-requests` only on HTTPS: on a page served over plain HTTP
 * (`docker run` reached by IP) it makes the browser fetch every script from
 * https://, which is not there, and the dashboard stays blank.
 */
export function securityHeaders(options: { https: boolean }): Array<[string, string]> {
  const headers: Array<[string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string) => void headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  let finished = false;
  helmet(helmetOptions(options.https))({} as never, recorder as never, () => (finished = true));
  if (!finished) throw new Error('helmet did not complete synchronously');
  return headers;
}

/**
 * The headers that matter on a JSON API response (OWASP's REST security
 * guidance): no sniffing, nothing may frame or run it, no referrer leaks.
 * The browser-page headers helmet adds (CSP for scripts and styles, origin
 * isolation, download and DNS hints) only apply to documents, so API routes
 * (src/http/dispatcher.ts) skip them and save a third of their response.
 */
export const apiSecurityHeaders: ReadonlyArray<[string, string]> = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['X-Content-Type-Options', 'nosniff'],
  // For browsers older than frame-ancestors.
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Resource-Policy', 'cross-origin'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
];

/**
 * Express middleware: helmet's full set, for the dashboard's pages (everything
 * that is not an API route). A request counts as HTTPS when it came over TLS or through a
 * HEARTH_TRUST_PROXY proxy that says so (X-Forwarded-Proto, Express's
 * `req.secure`), or always when HEARTH_PUBLIC_URL is https.
 */
export function securityHeadersMiddleware(options: {
  publicUrl: string | undefined;
}): (req: { secure: boolean }, res: ServerResponse, next: () => void) => void {
  const httpsOnly = options.publicUrl?.startsWith('https:') === true;
  const overHttps = securityHeaders({ https: true });
  const overHttp = httpsOnly ? overHttps : securityHeaders({ https: false });
  return (req, res, next) => {
    for (const [name, value] of req.secure ? overHttps : overHttp) res.setHeader(name, value);
    next();
  };
}

export type CorsHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

/** CORS for browser apps: bearer tokens, never cookies, so no credentials. Answers preflights itself. */
export function corsPolicy(origins: string[]): CorsHandler {
  const anyOrigin = origins.includes('*');
  return cors({
    origin: anyOrigin ? '*' : origins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'X-Request-Id'],
    exposedHeaders: ['ETag', 'Location', 'Idempotent-Replayed', 'Retry-After', 'X-Request-Id'],
    maxAge: 600,
  }) as CorsHandler;
}
