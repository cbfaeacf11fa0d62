import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startHearth, type HearthInstance, type StartOptions } from './server-under-test.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  url: string;
  hearth: HearthInstance;
  database: TestDatabase;
  dataDir: string;
  /** fetch against the app: `app.fetch('/health')`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Sends a JSON body (unless `body` is a string) and returns status, headers and parsed JSON. */
  request<T = unknown>(
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: T }>;
  close(): Promise<void>;
}

/**
 * Starts the whole app in-process on an ephemeral port, on its own fresh
 * database and data dir. `env` adds or overrides HEARTH_* variables;
 * `options.logger` lets a test read what the server logs.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), 'hearth-app-'));
  let hearth: HearthInstance;
  try {
    const config = loadConfig({
      env: {
        HEARTH_DATABASE_URL: database.url,
        HEARTH_PORT: '0',
        HEARTH_HOST: '127.0.0.1',
        HEARTH_DATA_DIR: dataDir,
        HEARTH_LOG_LEVEL: process.env.HEARTH_TEST_LOG_LEVEL ?? 'silent',
        HEARTH_DATABASE_POOL_MAX: '5',
        ...env,
      },
    });
    hearth = await startHearth(config, options);
  } catch (error) {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  const appFetch = (path: string, init?: RequestInit) => fetch(`${hearth.url}${path}`, init);
  return {
    url: hearth.url,
    hearth,
    database,
    dataDir,
    fetch: appFetch,
    async request<T>(
      method: string,
      path: string,
      options: { body?: unknown; headers?: Record<string, string> } = {},
    ) {
      const headers: Record<string, string> = { ...options.headers };
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await appFetch(path, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON; keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed as T };
    },
    async close() {
      await hearth.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
