import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { HearthError } from '../errors/index.js';

interface LimitDefinition {
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Once exhausted, refuse for this many seconds. */
  blockDuration?: number;
}

/**
 * Every auth rate limit in one table (before HEARTH_RATE_LIMIT_FACTOR).
 * Login attempts are counted up front, so concurrent guesses cannot slip
 * through, and a successful login gives its point back.
 */
export const authLimits = {
  'login:ip': { points: 30, duration: 15 * 60, blockDuration: 15 * 60 },
  'login:account': { points: 10, duration: 15 * 60, blockDuration: 15 * 60 },
  'signup:ip': { points: 20, duration: 60 * 60 },
  'anonymous:ip': { points: 30, duration: 60 * 60 },
  'forgot:ip': { points: 10, duration: 60 * 60 },
  'forgot:account': { points: 3, duration: 60 * 60 },
  'refresh:ip': { points: 120, duration: 60 },
  'mfa:ip': { points: 30, duration: 15 * 60, blockDuration: 15 * 60 },
  'mfa:user': { points: 10, duration: 15 * 60, blockDuration: 15 * 60 },
  'reauth:user': { points: 10, duration: 15 * 60, blockDuration: 15 * 60 },
  'link:ip': { points: 60, duration: 15 * 60 },
  'mail:user': { points: 5, duration: 60 * 60 },
} satisfies Record<string, LimitDefinition>;

export type AuthLimitName = keyof typeof authLimits;

/** In memory by default; in Redis (shared by every node) when HEARTH_REDIS_URL is set. */
export class AuthRateLimits {
  private readonly limiters = new Map<AuthLimitName, RateLimiterAbstract>();

  constructor(redis: Redis | undefined, factor: number) {
    for (const [name, definition] of Object.entries(authLimits) as [AuthLimitName, LimitDefinition][]) {
      const options = {
        // Redis adds HEARTH_REDIS_PREFIX (default `hearth:`) in front: src/lib/redis-connection.ts.
        keyPrefix: `rl:${name}`,
        points: Math.max(1, Math.round(definition.points * factor)),
        duration: definition.duration,
        ...(definition.blockDuration ? { blockDuration: definition.blockDuration } : {}),
      };
      const memory = new RateLimiterMemory(options);
      this.limiters.set(
        name,
        redis
          ? new RateLimiterRedis({
              ...options,
              storeClient: redis,
              insuranceLimiter: memory,
              rejectIfRedisNotReady: true,
            })
          : memory,
      );
    }
  }

  private limiter(name: AuthLimitName): RateLimiterAbstract {
    return this.limiters.get(name)!;
  }

  /** Counts one attempt; 429 http/rate-limited with Retry-After once the limit is reached. */
  async consume(name: AuthLimitName, key: string | undefined): Promise<void> {
    try {
      await this.limiter(name).consume(key ?? 'unknown');
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new HearthError('http/rate-limited', undefined, {
          headers: { 'Retry-After': String(seconds) },
          details: { retryAfter: seconds },
        });
      }
      throw rejection;
    }
  }

  /** Consumes several limits; all are counted even when the first refuses. */
  async consumeAll(entries: Array<[AuthLimitName, string | undefined]>): Promise<void> {
    const results = await Promise.allSettled(entries.map(([name, key]) => this.consume(name, key)));
    const refused = results.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /** Gives back a point consumed for an attempt that turned out legitimate. */
  async refund(name: AuthLimitName, key: string | undefined): Promise<void> {
    await this.limiter(name)
      .reward(key ?? 'unknown', 1)
      .catch(() => undefined);
  }
}
