import type { ClientInfo } from './sessions.js';

/** The caller's address (X-Forwarded-For only from HEARTH_TRUST_PROXY) and user agent, from a route request. */
export function clientInfo(request: { ip: string | undefined; userAgent: string | undefined }): ClientInfo {
  return { ip: request.ip, userAgent: request.userAgent };
}
