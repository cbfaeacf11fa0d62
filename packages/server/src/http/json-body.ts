import { AsyncResource } from 'node:async_hooks';
import express, { type RequestHandler } from 'express';
import { HearthError } from '../errors/index.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Iterative, so a deeply nested body cannot overflow the stack. */
export function findForbiddenKey(value: unknown): string | undefined {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object') continue;
    for (const key of Object.keys(current)) {
      if (FORBIDDEN_KEYS.has(key)) return key;
      stack.push((current as Record<string, unknown>)[key]);
    }
  }
  return undefined;
}

function hasBody(req: express.Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * JSON bodies only: a body of another type is 415 (unless its route takes
 * multipart uploads), an invalid one is 400, an oversized one 413, and a
 * body with a prototype-polluting key is refused outright.
 */
export function jsonBody(options: {
  limit: number;
  multipartPaths?: RegExp[];
  /** Routes that parse form posts themselves (e.g. an OAuth callback with response_mode=form_post). */
  formPaths?: RegExp[];
}): RequestHandler {
  const parse = express.json({ limit: options.limit, strict: false, type: () => true });
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const type = req.headers['content-type'] ?? '';
    if (/^multipart\/form-data/i.test(type) && options.multipartPaths?.some((path) => path.test(req.path))) {
      return next();
    }
    if (
      /^application\/x-www-form-urlencoded/i.test(type) &&
      options.formPaths?.some((path) => path.test(req.path))
    ) {
      return next();
    }
    if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
      return next(new HearthError('http/unsupported-media-type'));
    }
    // The body's last chunk arrives in the socket's async context; binding brings the
    // handler back into the request's, whose abort signal cancels its queries (src/db/query-cancellation.ts).
    const parsed = AsyncResource.bind((error?: unknown) => {
      if (error) return next(error);
      const key = findForbiddenKey(req.body);
      if (key !== undefined) {
        return next(new HearthError('http/forbidden-key', undefined, { details: { key } }));
      }
      next();
    });
    parse(req, res, parsed);
  };
}
