import type { Redis } from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { consumeRateLimit, createRateLimiter } from '../auth/rate-limits.js';
import { isAdmin, type Principal } from '../auth/principal.js';

export interface WriteRateLimitOptions {
  /** Record writes per minute per signed-in user (HEARTH_WRITE_RATE_LIMIT_USER); 0 is no limit. */
  perUser: number;
  /** Record writes per minute per client address (HEARTH_WRITE_RATE_LIMIT_IP); 0 is no limit. */
  perIp: number;
}

const MINUTE = 60;

/**
 * Bounds how fast one account, or one address, can write records, so a
 * single caller cannot fill the database. Every record create, update and
 * delete counts one, and a batch counts each of its writes, whether it is
 * served by the edge or by Express (record-routes.ts calls this for both).
 * Admins and service keys are trusted with bulk work and not limited.
 */
export class WriteRateLimit {
  private readonly user: RateLimiterAbstract | undefined;
  private readonly ip: RateLimiterAbstract | undefined;

  constructor(redis: Redis | undefined, options: WriteRateLimitOptions) {
    if (options.perUser > 0)
      this.user = createRateLimiter(redis, 'write:user', { points: options.perUser, duration: MINUTE });
    if (options.perIp > 0)
      this.ip = createRateLimiter(redis, 'write:ip', { points: options.perIp, duration: MINUTE });
  }

  /** Counts `writes` for the caller; 429 http/rate-limited with Retry-After once a limit is reached. */
  async consume(principal: Principal, ip: string | undefined, writes = 1): Promise<void> {
    if (writes <= 0 || isAdmin(principal)) return;
    const checks: Promise<void>[] = [];
    if (this.ip) checks.push(consumeRateLimit(this.ip, ip ?? 'unknown', writes));
    if (this.user && principal.kind === 'user')
      checks.push(consumeRateLimit(this.user, principal.user.id, writes));
    // Both are counted even when one refuses, as the auth limits do.
    const results = await Promise.allSettled(checks);
    const refused = results.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
  }
}
