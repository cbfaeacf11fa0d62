import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The request id, echoed as X-Request-Id and logged with every line about this request. */
      id: string;
      /** The server's logger; put `reqId: req.id` in what you log. */
      log: Logger;
    }
  }
}

/** What the edge attaches to every request before any route sees it. */
export type TaggedRequest = IncomingMessage & { id: string; log: Logger };

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The path without its query string: queries may carry tokens (signed URLs, setup links). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * Gives the request an id (the caller's X-Request-Id when it is safe, else a
 * UUID) and echoes it. Plain properties, no per-request child logger: this
 * runs on every request, and both would cost more than the hot routes do.
 */
export function tagRequest(req: IncomingMessage, res: ServerResponse, logger: Logger): TaggedRequest {
  const incoming = req.headers['x-request-id'];
  const tagged = req as TaggedRequest;
  tagged.id = typeof incoming === 'string' && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  tagged.log = logger;
  res.setHeader('X-Request-Id', tagged.id);
  return tagged;
}

/**
 * One line per finished request: 5xx as error, the rest as info, so the
 * default level shows every request (docs/configuration.md). pino serialises
 * the one small object straight to its buffer; HEARTH_LOG_LEVEL=warn (the
 * benchmark's setting) skips it before anything is built.
 */
export function logCompletion(req: TaggedRequest, res: ServerResponse, startedAt: number): void {
  const status = res.statusCode;
  const level = status >= 500 ? 'error' : 'info';
  if (!req.log.isLevelEnabled(level)) return;
  req.log[level](
    {
      reqId: req.id,
      req: { method: req.method, path: pathOf(req.url ?? '/') },
      res: { statusCode: status },
      responseTime: Math.round((performance.now() - startedAt) * 10) / 10,
    },
    'request completed',
  );
}
