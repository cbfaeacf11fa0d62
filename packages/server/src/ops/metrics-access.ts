import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIPv4 } from 'node:net';
import { constantTimeEqual } from '../lib/opaque-tokens.js';
import { HearthError } from '../errors/index.js';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return isIPv4(mapped) ? loopback.check(mapped, 'ipv4') : loopback.check(mapped, 'ipv6');
}

/**
 * Who may scrape /metrics. With HEARTH_METRICS_TOKEN, a caller that sends it
 * as a bearer token, from anywhere. Without one, only a connection from this
 * machine (a Prometheus or an agent beside Hearth) that no proxy forwarded:
 * behind a reverse proxy on the same host every request comes from loopback,
 * so a request with X-Forwarded-For or Forwarded is someone else's.
 * Throws the table error otherwise.
 */
export function checkMetricsAccess(
  req: { headers: IncomingHttpHeaders; remoteAddress: string | undefined },
  token: string | undefined,
): void {
  if (token !== undefined) {
    const header = req.headers.authorization;
    if (header === undefined) {
      throw new HearthError('auth/unauthenticated', 'Send HEARTH_METRICS_TOKEN as a bearer token.');
    }
    const match = /^Bearer (.+)$/i.exec(header);
    if (!match?.[1] || !constantTimeEqual(match[1], token)) throw new HearthError('auth/invalid-token');
    return;
  }
  const forwarded = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  if (forwarded || !isLoopbackAddress(req.remoteAddress)) {
    throw new HearthError(
      'auth/forbidden',
      '/metrics answers only on this machine; set HEARTH_METRICS_TOKEN to scrape it from elsewhere.',
    );
  }
}
