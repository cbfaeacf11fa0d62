import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Redis, RedisOptions } from 'ioredis';
import { ComponentUnavailable } from './availability.js';
import { closeOnce } from './close-once.js';
import { stopChild, trackChild } from './child-processes.js';
import { findOnPath } from './executable.js';
import { findFreePort } from './ports.js';
import { makeTempDir } from './temp-dir.js';

export interface RedisHandle {
  /** What the server gets as HEARTH_REDIS_URL. */
  url: string;
  /** True when the URL came from HEARTH_TEST_REDIS_URL (shared with other test files). */
  external: boolean;
  /**
   * What belongs to this handle alone: a spawned `server`; on a shared Redis a
   * leased `database` (1..15, in the URL), or failing that only keys under `keyPrefix`.
   */
  isolation: RedisIsolation;
  /** Unique to this handle, for keys the test writes itself. */
  keyPrefix: string;
  /** A connected client, closed by close(). */
  client: Redis;
  /** Another client (e.g. for pub/sub), closed by close(). */
  newClient(options?: ClientOptions): Redis;
  /** Empties what this handle owns (see `isolation`); parallel files sharing a Redis are not disturbed. */
  flush(): Promise<void>;
  env(): { HEARTH_REDIS_URL: string };
  close(): Promise<void>;
}

export type RedisIsolation = 'server' | 'database' | 'prefix';

/** ioredis's own option type clashes with exactOptionalPropertyTypes on `replyMapping`. */
export type ClientOptions = Omit<RedisOptions, 'replyMapping'>;

export interface StartRedisOptions {
  env?: NodeJS.ProcessEnv;
  /** How long a spawned redis-server may take to answer PING. */
  startTimeoutMs?: number;
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const env = options.env ?? process.env;
  const externalUrl = env['HEARTH_TEST_REDIS_URL'];
  if (externalUrl !== undefined && externalUrl !== '') return connectRedis(externalUrl, true, async () => {});

  const binary = findOnPath('redis-server', env['PATH'] ?? '');
  if (binary === undefined) {
    throw new ComponentUnavailable('redis', 'HEARTH_TEST_REDIS_URL is unset and no redis-server is on PATH');
  }
  const server = await spawnRedisServer(binary, options.startTimeoutMs ?? 10_000);
  try {
    return await connectRedis(`redis://127.0.0.1:${server.port}`, false, server.stop);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function connectRedis(
  baseUrl: string,
  external: boolean,
  stopServer: () => Promise<void>,
): Promise<RedisHandle> {
  const { Redis } = await import('ioredis');
  const admin = new Redis(baseUrl, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  try {
    await admin.connect();
    await admin.ping();
  } catch (error) {
    admin.disconnect();
    await stopServer();
    throw new Error(`Redis at ${baseUrl} does not answer: ${String(error)}`, { cause: error });
  }

  const keyPrefix = `hearth-test:${randomBytes(6).toString('hex')}:`;
  const lease = external ? await leaseDatabase(admin, baseUrl, keyPrefix) : undefined;
  const url = lease?.url ?? baseUrl;
  const isolation: RedisIsolation = !external ? 'server' : lease !== undefined ? 'database' : 'prefix';

  const clients: Redis[] = [];
  const newClient = (options: ClientOptions = {}): Redis => {
    const client = new Redis(url, { maxRetriesPerRequest: 2, ...options });
    clients.push(client);
    return client;
  };
  const client = newClient();

  const flush = async (): Promise<void> => {
    if (isolation === 'server') {
      await client.flushall();
    } else if (isolation === 'database') {
      await client.flushdb();
    } else {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
        if (keys.length > 0) await client.unlink(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  };

  return {
    url,
    external,
    isolation,
    keyPrefix,
    client,
    newClient,
    flush,
    env: () => ({ HEARTH_REDIS_URL: url }),
    close: closeOnce(async () => {
      if (external) await flush().catch(() => {});
      await lease?.release().catch(() => {});
      await Promise.all([admin, ...clients].map((c) => c.quit().catch(() => c.disconnect())));
      await stopServer();
    }),
  };
}

interface DatabaseLease {
  url: string;
  release(): Promise<void>;
}

const LEASE_SECONDS = 6 * 60 * 60;

/**
 * On a shared Redis, claims one of databases 1..15 for this handle (a lease
 * key in the URL's own database, expiring in case the worker dies) so the
 * server under test, which knows nothing of key prefixes, still gets keys
 * nobody else touches. Undefined when the URL pins a database or none is free.
 */
async function leaseDatabase(
  admin: Redis,
  baseUrl: string,
  token: string,
): Promise<DatabaseLease | undefined> {
  const parsed = new URL(baseUrl);
  if (parsed.pathname !== '' && parsed.pathname !== '/' && parsed.pathname !== '/0') return undefined;
  for (let index = 1; index <= 15; index++) {
    const key = `hearth-test:db-lease:${index}`;
    if ((await admin.set(key, token, 'EX', LEASE_SECONDS, 'NX')) !== 'OK') continue;
    const release = async (): Promise<void> => {
      if ((await admin.get(key)) === token) await admin.del(key);
    };
    let size: number;
    try {
      // Fails when the server is configured with fewer databases.
      await admin.select(index);
      size = await admin.dbsize();
      await admin.select(0);
    } catch {
      await release();
      return undefined;
    }
    // A database with keys is someone else's (or a crashed run's): never flush it.
    if (size > 0) {
      await release();
      continue;
    }
    parsed.pathname = `/${index}`;
    return { url: parsed.toString(), release };
  }
  return undefined;
}

interface SpawnedRedis {
  port: number;
  stop(): Promise<void>;
}

async function spawnRedisServer(binary: string, timeoutMs: number): Promise<SpawnedRedis> {
  // The port is chosen before redis binds it, so another process may take it first: retry.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await findFreePort();
    const dir = await makeTempDir('redis');
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir.path],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    trackChild(child);
    const stop = async (): Promise<void> => {
      await stopChild(child);
      await dir.remove();
    };
    try {
      await waitForPong(child, port, timeoutMs);
      return { port, stop };
    } catch (error) {
      lastError = error;
      await stop();
    }
  }
  throw lastError;
}

async function waitForPong(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with ${child.exitCode}: ${output.trim()}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `redis-server on port ${port} did not answer PING within ${timeoutMs} ms: ${output.trim()}`,
  );
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
