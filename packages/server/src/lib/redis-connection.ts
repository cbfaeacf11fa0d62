import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Delay before the n-th reconnect attempt (from 1): 250 ms doubling, at most 10 s. */
export function redisReconnectDelayMs(attempt: number): number {
  return Math.min(10_000, 250 * 2 ** Math.max(0, attempt - 1));
}

/**
 * The Redis client of this process. Every key it touches carries `prefix`
 * (HEARTH_REDIS_PREFIX) through ioredis' keyPrefix, so deployments can share
 * one Redis; pub/sub channels are not keys, so they take it from
 * `redisChannel`. A lost connection is retried with backoff and reported
 * once when it goes and once when it comes back, not on every failed attempt.
 */
export function createRedisClient(options: { url: string; prefix: string; logger: Logger }): Redis {
  const client = new Redis(options.url, {
    keyPrefix: options.prefix,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: redisReconnectDelayMs,
  });
  reportConnectionState(client, options.logger, 'redis');
  return client;
}

/** Logs one line when `client` loses its connection and one when it has it again. */
export function reportConnectionState(client: Redis, logger: Logger, name: string): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ redis: name, reason: error.message }, `${name} is unreachable; retrying with backoff`);
  });
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info({ redis: name }, `${name} is reachable again`);
  });
}

/** A pub/sub channel under this deployment's HEARTH_REDIS_PREFIX. */
export function redisChannel(client: Redis, name: string): string {
  return `${client.options.keyPrefix ?? ''}${name}`;
}
