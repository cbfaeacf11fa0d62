import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redisChannel } from '../lib/redis-connection.js';
import type { AuthStatusCache, Forget } from './auth-status-cache.js';

/**
 * With Redis, a revocation on one node (logout, password change, disabled
 * user, revoked service key) is published so every node drops its cached
 * "still valid" answer at once, instead of after HEARTH_AUTH_REVOCATION_CACHE_MS.
 */
export async function connectRevocationBroadcast(
  redis: Redis,
  cache: AuthStatusCache,
  logger: Logger,
): Promise<() => void> {
  // Under HEARTH_REDIS_PREFIX, so deployments sharing a Redis do not hear each other's revocations.
  const channel = redisChannel(redis, 'auth:revoked');
  const subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: true });
  // The main connection reports Redis going away and coming back (src/lib/redis-connection.ts).
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, text: string) => {
    try {
      cache.applyRemote(JSON.parse(text) as Forget);
    } catch {
      // ignore malformed messages
    }
  });
  try {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2_000);
    });
    await Promise.race([subscriber.connect().then(() => subscriber.subscribe(channel)), timeout]).finally(
      () => clearTimeout(timer),
    );
  } catch (error) {
    // Redis down at start: the cache TTL still bounds revocation latency.
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn({ reason }, 'could not subscribe to revocations; relying on the cache lifetime');
  }
  cache.broadcast = (message) => {
    redis.publish(channel, JSON.stringify(message)).catch((error: unknown) => {
      // Redis is down (reported once); other nodes see the revocation when their cache expires.
      logger.debug({ reason: (error as Error).message }, 'could not publish a revocation');
    });
  };
  return () => {
    cache.broadcast = undefined;
    subscriber.disconnect();
  };
}
