import type { Redis } from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { HearthError } from '../errors/index.js';

export interface LimitDefinition {
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Once exhausted, refuse for this many seconds. */
  blockDuration?: number;
}

/**
 * Every auth rate limit in one table (before HEARTH_RATE_LIMIT_FACTOR).
 * Login attempts are counted up front, so concurrent guesses cannot slip
 * through, and a successful login gives its point back; login-throttle.ts
 * says how the four login limits fit together.
 */
export const authLimits = {
  'login:ip': { points: 30, duration: 15 * 60, blockDuration: 15 * 60 },
  /** One account from one client: the limit a single guesser meets. */
  'login:client': { points: 10, duration: 15 * 60, blockDuration: 15 * 60 },
  /** One account from everywhere: a backstop against a distributed attack, with growing delays. */
  'login:account': { points: 100, duration: 60 * 60 },
  /** How often the backstop tripped for an account today: each trip blocks twice as long as the last. */
  'login:account-trips': { points: 1_000_000, duration: 24 * 60 * 60 },
  /** Admin unlocks of an account, never reset: the count is part of every login key of the account. */
  'login:unlocks': { points: 1_000_000, duration: 0 },
  'signup:ip': { points: 20, duration: 60 * 60 },
  /** Sign-ups for one address, new or registered alike: caps the "you already have an account" mails. */
  'signup:account': { points: 5, duration: 60 * 60 },
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

/** 429 http/rate-limited, with Retry-After in seconds. */
export function rateLimitedError(seconds: number): HearthError {
  return new HearthError('http/rate-limited', undefined, {
    headers: { 'Retry-After': String(seconds) },
    details: { retryAfter: seconds },
  });
}

export type AuthLimitName = keyof typeof authLimits;

/** One limiter: in memory, or in Redis (shared by every node) with memory as its fallback. */
export function createRateLimiter(
  redis: Redis | undefined,
  name: string,
  definition: LimitDefinition,
): RateLimiterAbstract {
  const options = {
    // Redis adds HEARTH_REDIS_PREFIX (default `hearth:`) in front: src/lib/redis-connection.ts.
    keyPrefix: `rl:${name}`,
    points: definition.points,
    duration: definition.duration,
    ...(definition.blockDuration ? { blockDuration: definition.blockDuration } : {}),
  };
  const memory = new RateLimiterMemory(options);
  return redis
    ? new RateLimiterRedis({
        ...options,
        storeClient: redis,
        insuranceLimiter: memory,
        rejectIfRedisNotReady: true,
      })
    : memory;
}

/** Consumes `points` for `key`; 429 http/rate-limited with Retry-After once the limit is reached. */
export async function consumeRateLimit(limiter: RateLimiterAbstract, key: string, points = 1): Promise<void> {
  try {
    await limiter.consume(key, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      throw rateLimitedError(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
    }
    throw rejection;
  }
}

/** In memory by default; in Redis (shared by every node) when HEARTH_REDIS_URL is set. */
export class AuthRateLimits {
  private readonly limiters = new Map<AuthLimitName, RateLimiterAbstract>();

  constructor(redis: Redis | undefined, factor: number) {
    for (const [name, definition] of Object.entries(authLimits) as [AuthLimitName, LimitDefinition][]) {
      const points = Math.max(1, Math.round(definition.points * factor));
      this.limiters.set(name, createRateLimiter(redis, name, { ...definition, points }));
    }
  }

  private limiter(name: AuthLimitName): RateLimiterAbstract {
    return this.limiters.get(name)!;
  }

  /** Counts one attempt; 429 http/rate-limited with Retry-After once the limit is reached. */
  async consume(name: AuthLimitName, key: string | undefined): Promise<void> {
    await consumeRateLimit(this.limiter(name), key ?? 'unknown');
  }

  /** Consumes several limits; all are counted even when the first refuses. */
  async consumeAll(entries: Array<[AuthLimitName, string | undefined]>): Promise<void> {
    const results = await Promise.allSettled(entries.map(([name, key]) => this.consume(name, key)));
    const refused = results.find((result) => result.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /**
   * Counts one point without refusing: how many the key has used in its
   * window, and the seconds until that window (or a block) ends.
   */
  async count(name: AuthLimitName, key: string): Promise<{ used: number; secondsLeft: number }> {
    let res: RateLimiterRes;
    try {
      res = await this.limiter(name).consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      res = rejection;
    }
    return { used: res.consumedPoints, secondsLeft: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
  }

  /** Points the key has used in its window (0 when it has none). */
  async used(name: AuthLimitName, key: string): Promise<number> {
    return (await this.limiter(name).get(key))?.consumedPoints ?? 0;
  }

  /** Refuses the key for `seconds` from now, whatever it has used. */
  async block(name: AuthLimitName, key: string, seconds: number): Promise<void> {
    await this.limiter(name).block(key, seconds);
  }

  /** The limit's allowance after HEARTH_RATE_LIMIT_FACTOR. */
  points(name: AuthLimitName): number {
    return this.limiter(name).points;
  }

  /** Gives back a point consumed for an attempt that turned out legitimate. */
  async refund(name: AuthLimitName, key: string | undefined): Promise<void> {
    await this.limiter(name)
      .reward(key ?? 'unknown', 1)
      .catch(() => undefined);
  }
}
