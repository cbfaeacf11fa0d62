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
  /** Unique to this handle; keys under it belong to this test file alone. */
  keyPrefix: string;
  /** A connected client, closed by close(). */
  client: Redis;
  /** Another client (e.g. for pub/sub), closed by close(). */
  newClient(options?: ClientOptions): Redis;
  /**
   * Empties what this handle owns: the whole server when spawned for this
   * handle, otherwise only keys under `keyPrefix` so parallel files sharing an
   * external Redis are not disturbed.
   */
  flush(): Promise<void>;
  env(): { HEARTH_REDIS_URL: string };
  close(): Promise<void>;
}

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

async function connectRedis(url: string, external: boolean, stopServer: () => Promise<void>): Promise<RedisHandle> {
  const { Redis } = await import('ioredis');
  const keyPrefix = `hearth-test:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const newClient = (options: ClientOptions = {}): Redis => {
    const client = new Redis(url, { maxRetriesPerRequest: 2, ...options });
    clients.push(client);
    return client;
  };

  const client = newClient({ lazyConnect: true, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    await stopServer();
    throw new Error(`Redis at ${url} does not answer: ${String(error)}`, { cause: error });
  }

  const flush = async (): Promise<void> => {
    if (!external) {
      await client.flushall();
      return;
    }
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  };

  return {
    url,
    external,
    keyPrefix,
    client,
    newClient,
    flush,
    env: () => ({ HEARTH_REDIS_URL: url }),
    close: closeOnce(async () => {
      if (external) await flush().catch(() => {});
      await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
      await stopServer();
    }),
  };
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
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output.trim()}`);
    if (await answersPing(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms: ${output.trim()}`);
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
