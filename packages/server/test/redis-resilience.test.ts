import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, signUpTestUser, startTestApp, useComponent, type RedisHandle } from '@hearth/testkit';
import { startTcpProxy } from './tcp-proxy.js';

/**
 * Items 9 and 18 of issue 10: Redis down logged a warning with a stack trace
 * about once a second, and two deployments could not share one Redis.
 */

const redis = useComponent<RedisHandle>(() => startRedis());
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A pino logger whose lines land in `lines`, parsed. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n'))
        if (text.trim()) lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, destination), lines };
}

const WARN = 40;

describe('Redis going away', () => {
  it('logs one line when Redis goes down and one when it is back, not a stack trace per reconnect attempt', async () => {
    const target = new URL(redis().url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    closers.push(() => proxy.close());
    const proxied = new URL(redis().url);
    proxied.port = String(proxy.port);
    const { logger, lines } = capturingLogger();
    const app = await startTestApp({ HEARTH_REDIS_URL: proxied.toString() }, { logger });
    closers.push(() => app.close());
    expect((await app.request('GET', '/ready')).status).toBe(200);

    const before = lines.length;
    await proxy.cut();
    // Long enough for a dozen reconnect attempts at ioredis' default pace (50 ms more each time).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const whileDown = lines.slice(before).filter((line) => line.level >= WARN);
    expect(whileDown.map((line) => line.msg)).toEqual(['redis is unreachable; retrying with backoff']);
    expect(JSON.stringify(whileDown)).not.toContain('stack');
    // The API keeps working on the in-memory fallback meanwhile.
    expect((await app.request('GET', '/health')).status).toBe(200);

    await proxy.restore();
    await expect
      .poll(() => lines.slice(before).map((line) => line.msg), { timeout: 15_000, interval: 100 })
      .toContain('redis is reachable again');
    expect(lines.slice(before).filter((line) => line.level >= WARN)).toHaveLength(1);
  }, 30_000);
});

describe('HEARTH_REDIS_PREFIX: two deployments on one Redis', () => {
  it('keeps each deployment to its own rate limits, keys and revocation channel', async () => {
    const shared = redis();
    await shared.flush();
    const env = { ...shared.env(), HEARTH_AUTH_CONFIRM_EMAIL: 'false' };
    const shop = await startTestApp({ ...env, HEARTH_REDIS_PREFIX: 'shop:' });
    closers.push(() => shop.close());
    const blog = await startTestApp({ ...env, HEARTH_REDIS_PREFIX: 'blog:' });
    closers.push(() => blog.close());

    const forgot = (app: typeof shop, n: number) =>
      app.request('POST', '/api/auth/password/forgot', { body: { email: `someone-${n}@example.com` } });
    let refused = false;
    for (let n = 0; n < 100 && !refused; n += 1) refused = (await forgot(shop, n)).status === 429;
    expect(refused).toBe(true);
    // The same address on the other deployment has used none of its allowance.
    expect((await forgot(blog, 1000)).status).toBe(202);

    const channels: string[] = [];
    const listener = shared.newClient();
    listener.on('pmessage', (_pattern: string, channel: string) => channels.push(channel));
    await listener.psubscribe('*');
    const user = await signUpTestUser(shop);
    expect((await shop.request('POST', '/api/auth/logout-all', { headers: user.headers })).status).toBe(204);
    await expect.poll(() => channels, { timeout: 2_000, interval: 50 }).toContain('shop:auth:revoked');
    expect(channels.filter((channel) => !channel.startsWith('shop:'))).toEqual([]);

    // A Redis of this test's own (a spawned server or a leased database) holds only Hearth's keys.
    const keys = shared.isolation === 'prefix' ? [] : await shared.client.keys('*');
    expect(keys.filter((key) => !key.startsWith('shop:') && !key.startsWith('blog:'))).toEqual([]);
  }, 30_000);
});
