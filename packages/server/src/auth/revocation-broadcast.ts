import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AuthStatusCache, Forget } from './auth-status-cache.js';

const CHANNEL = 'hearth:auth:revoked';

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
  const subscriber = redis.duplicate({ enableOfflineQueue: true, lazyConnect: true });
  subscriber.on('error', (error: Error) => logger.warn({ err: error }, 'revocation subscriber error'));
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
    await Promise.race([subscriber.connect().then(() => subscriber.subscribe(CHANNEL)), timeout]).finally(
      () => clearTimeout(timer),
    );
  } catch (error) {
    // Redis down at start: the cache TTL still bounds revocation latency.
    logger.warn({ err: error }, 'could not subscribe to revocations; relying on the cache lifetime');
  }
  cache.broadcast = (message) => {
    redis.publish(CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
      logger.warn({ err: error }, 'could not publish a revocation');
    });
  };
  return () => {
    cache.broadcast = undefined;
    subscriber.disconnect();
  };
}
