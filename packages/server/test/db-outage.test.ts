import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, startHearth, temporaryDataDir, type HearthInstance } from '@hearth/server';
import {
  applyTestSchema,
  createTestAdmin,
  createTestDatabase,
  createTestServiceKey,
  startTestApp,
  type TestApp,
} from '@hearth/testkit';
import { startTcpProxy } from './tcp-proxy.js';

/**
 * Item 8 of issue 10: killing the embedded postmaster left /health at 200
 * and every API call at 500 until Hearth was restarted by hand; an external
 * database that went away did the same.
 */

const schema = {
  collections: {
    events: {
      fields: { n: { type: 'number' } },
      rules: { list: 'true', view: 'true', create: 'true' },
    },
  },
};

interface ErrorBody {
  error?: { code: string };
}

/** The parts of a TestApp the auth helpers use, for a Hearth started here. */
function asTestApp(hearth: HearthInstance): TestApp {
  const request = async (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) => {
    const response = await fetch(`${hearth.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as never,
    };
  };
  return { hearth, url: hearth.url, request } as unknown as TestApp;
}

async function prepare(app: TestApp): Promise<void> {
  const admin = await createTestAdmin(app);
  const key = await createTestServiceKey(app, admin.token);
  await applyTestSchema(app, key.headers, schema);
}

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('an external database that goes away and comes back', () => {
  it('answers 503 db/unavailable meanwhile (never 500), fails /health only past the grace period, and serves again without a restart', async () => {
    const database = await createTestDatabase();
    closers.push(() => database.drop());
    const target = new URL(database.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    closers.push(() => proxy.close());
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    const app = await startTestApp({
      HEARTH_DATABASE_URL: proxied.toString(),
      HEARTH_HEALTH_GRACE_SECONDS: '2',
    });
    closers.push(() => app.close());
    await prepare(app);
    const list = () => app.request<ErrorBody>('GET', '/api/collections/events/records');
    expect((await list()).status).toBe(200);

    await proxy.cut();
    const during = await list();
    expect(during.status).toBe(503);
    expect(during.body.error?.code).toBe('db/unavailable');
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
    const write = await app.request<ErrorBody>('POST', '/api/collections/events/records', { body: { n: 1 } });
    expect([write.status, write.body.error?.code]).toEqual([503, 'db/unavailable']);
    expect((await app.request('GET', '/ready')).status).toBe(503);
    // Within the grace period the process is alive; past it, /health says it cannot serve.
    await expect
      .poll(async () => (await app.request('GET', '/health')).status, { timeout: 8_000, interval: 250 })
      .toBe(503);

    await proxy.restore();
    await expect.poll(async () => (await list()).status, { timeout: 10_000, interval: 100 }).toBe(200);
    await expect
      .poll(async () => (await app.request('GET', '/health')).status, { timeout: 5_000, interval: 250 })
      .toBe(200);
  }, 40_000);
});

describe('the embedded PostgreSQL under supervision', () => {
  it('SIGKILL of the postmaster under a write load: 503 during the gap, back by itself within 15 s, every acknowledged write kept', async () => {
    const dataDir = temporaryDataDir('hearth-supervised-');
    closers.push(() => rm(dataDir, { recursive: true, force: true }));
    const hearth = await startHearth(
      loadConfig({
        env: {
          HEARTH_PORT: '0',
          HEARTH_HOST: '127.0.0.1',
          HEARTH_DATA_DIR: dataDir,
          HEARTH_LOG_LEVEL: process.env.HEARTH_TEST_LOG_LEVEL ?? 'silent',
          HEARTH_RATE_LIMIT_FACTOR: '1000',
        },
      }),
    );
    closers.push(() => hearth.close());
    expect(hearth.embeddedDatabase).toBe(true);
    const app = asTestApp(hearth);
    await prepare(app);

    const acknowledged: string[] = [];
    const answers: Array<{ status: number; code: string | undefined; startedAt: number }> = [];
    const timeline: { killedAt?: number; backAt?: number } = {};
    const write = async (n: number) => {
      const startedAt = performance.now();
      const { status, body } = await app.request<{ id?: string } & ErrorBody>(
        'POST',
        '/api/collections/events/records',
        { body: { n } },
      );
      answers.push({ status, code: body?.error?.code, startedAt });
      if (status === 201 && body.id) acknowledged.push(body.id);
      const { killedAt } = timeline;
      if (killedAt === undefined || timeline.backAt !== undefined || status !== 201) return status;
      // Back: a write started after the kill, and after a 503 that proved the gap, succeeded.
      if (answers.some((a) => a.status === 503 && a.startedAt > killedAt && a.startedAt < startedAt)) {
        timeline.backAt = startedAt;
      }
      return status;
    };
    const done = () => {
      const { killedAt, backAt } = timeline;
      const now = performance.now();
      return (
        (backAt !== undefined && now - backAt > 500) || (killedAt !== undefined && now - killedAt > 20_000)
      );
    };
    const writer = async (worker: number) => {
      for (let n = 0; !done(); n += 1) {
        if ((await write(worker * 1_000_000 + n)) !== 201) await new Promise((r) => setTimeout(r, 50));
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(writer));
    await expect.poll(() => acknowledged.length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(20);

    const pid = Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    const killedAt = performance.now();
    timeline.killedAt = killedAt;
    process.kill(pid, 'SIGKILL');
    await load;

    const afterKill = answers.filter((a) => a.startedAt > killedAt);
    expect(answers.filter((a) => a.status !== 201 && a.status !== 503)).toEqual([]);
    const gap = afterKill.filter((a) => a.status === 503);
    expect(gap.length).toBeGreaterThan(0);
    expect(new Set(gap.map((a) => a.code))).toEqual(new Set(['db/unavailable']));
    expect(timeline.backAt).toBeDefined();
    expect(timeline.backAt! - killedAt).toBeLessThan(15_000);
    expect(hearth.embeddedDatabase).toBe(true);

    const { rows } = await hearth.pool.query<{ id: string }>('SELECT id FROM app.events');
    const stored = new Set(rows.map((row) => row.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect((await app.request('GET', '/health')).status).toBe(200);
  }, 90_000);
});
