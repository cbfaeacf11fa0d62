import type { Request } from 'express';
import type { ClientInfo } from './sessions.js';

/** The caller's address (X-Forwarded-For only from HEARTH_TRUST_PROXY) and user agent. */
export function clientInfo(req: Request): ClientInfo {
  return { ip: req.ip ?? req.socket.remoteAddress, userAgent: req.get('user-agent') };
}
