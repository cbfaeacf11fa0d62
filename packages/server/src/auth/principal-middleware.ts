import type { RequestHandler } from 'express';
import { anonymous } from './principal.js';
import type { PrincipalResolver } from './principal-resolver.js';

/** Sets `req.principal` from `Authorization: Bearer` (an access token or a service key) on every request. */
export function principalMiddleware(resolver: PrincipalResolver): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      req.principal = anonymous;
      return next();
    }
    resolver.resolve(header).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}
