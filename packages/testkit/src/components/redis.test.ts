import { describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ComponentUnavailable } from './availability.js';
import { startRedis } from './redis.js';
import { startOrSkip } from './use-component.js';
import { useRedis } from './use-components.js';

describe('useRedis', () => {
  const redis = useRedis();

  it('answers commands and exposes the URL the server will use', async () => {
    const { client, url, env } = redis();
    expect(url).toMatch(/^rediss?:\/\//);
    expect(env()).toEqual({ HEARTH_REDIS_URL: url });
    await client.set(`${redis().keyPrefix}greeting`, 'hello');
    const other = new Redis(url);
    try {
      expect(await other.get(`${redis().keyPrefix}greeting`)).toBe('hello');
    } finally {
      other.disconnect();
    }
  });

  it('gives a shared Redis its own database, and a spawned one is all its own', () => {
    const { external, isolation, url } = redis();
    if (!external) expect(isolation).toBe('server');
    if (isolation === 'database') expect(url).toMatch(/\/([1-9]|1[0-5])$/);
  });

  it('flush empties what the handle owns', async () => {
    const { client, keyPrefix, flush } = redis();
    await client.set(`${keyPrefix}a`, '1');
    await flush();
    expect(await client.exists(`${keyPrefix}a`)).toBe(0);
  });

  it('delivers pub/sub between clients', async () => {
    const sub = redis().newClient();
    const received = new Promise<string>((resolve) =>
      sub.on('message', (_channel, message: string) => resolve(message)),
    );
    await sub.subscribe('hearth-test');
    await redis().client.publish('hearth-test', 'ping');
    expect(await received).toBe('ping');
  });
});

describe('startRedis without a server', () => {
  it('reports the component as unavailable when nothing is configured or on PATH', async () => {
    await expect(startRedis({ env: { PATH: '/nonexistent' } })).rejects.toBeInstanceOf(ComponentUnavailable);
  });

  it('stops the redis-server it spawned', async (ctx) => {
    const handle = await startOrSkip(ctx, () => startRedis({ env: { PATH: process.env['PATH'] ?? '' } }));
    const port = Number(new URL(handle.url).port);
    await handle.close();
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => {});
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });
});
