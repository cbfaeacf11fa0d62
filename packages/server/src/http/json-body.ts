import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
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

function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * JSON bodies only: a body of another type is 415, an invalid one is 400, an
 * oversized one 413, and a body with a prototype-polluting key is refused outright.
 */
export function jsonBody(options: {
  limit: number;
}): (
  req: IncomingMessage & { body?: unknown },
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  const parse = express.json({ limit: options.limit, strict: false, type: () => true });
  return (req, res, next) => {
    if (!hasBody(req)) return next();
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(type)) {
      return next(new HearthError('http/unsupported-media-type'));
    }
    parse(req as express.Request, res as express.Response, (error?: unknown) => {
      if (error) return next(error);
      const key = findForbiddenKey(req.body);
      if (key !== undefined) {
        return next(new HearthError('http/forbidden-key', undefined, { details: { key } }));
      }
      next();
    });
  };
}
