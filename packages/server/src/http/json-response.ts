import type { Express, Response } from 'express';

/**
 * A leaner `res.json` for this app. Express's version goes through
 * `res.send`, which converts the body to a Buffer (so Node writes headers and
 * body as two chunks), hashes it for an ETag, and checks freshness; API
 * responses need none of that. This writes the JSON text in one piece.
 */
export function installJsonResponse(app: Express): void {
  app.response.json = function json(this: Response, body: unknown): Response {
    const text = body === undefined ? '' : JSON.stringify(body);
    if (!this.hasHeader('Content-Type')) this.setHeader('Content-Type', 'application/json; charset=utf-8');
    if (this.statusCode === 204 || this.statusCode === 304) {
      this.removeHeader('Content-Type');
      this.end();
      return this;
    }
    this.setHeader('Content-Length', Buffer.byteLength(text));
    if (this.req.method === 'HEAD') this.end();
    else this.end(text, 'utf8');
    return this;
  };
}
