import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFreePort } from '@hearth/server';
import { startTestApp, useComponent, useS3, type TestApp } from '@hearth/testkit';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('/health and /ready', () => {
  it('/health answers while the process is up', async () => {
    const { status, body } = await app.request('GET', '/health');
    expect(status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('/ready reports each dependency it checked', async () => {
    const { status, body } = await app.request<{ status: string; checks: Record<string, { ok: boolean }> }>(
      'GET',
      '/ready',
    );
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.checks.database?.ok).toBe(true);
    expect(body.checks.storage?.ok).toBe(true);
    expect(body.checks.redis).toBeUndefined();
  });

  it('uses the external database and starts no embedded one when HEARTH_DATABASE_URL is set', () => {
    expect(app.hearth.embeddedDatabase).toBe(false);
    expect(existsSync(join(app.dataDir, 'postgres'))).toBe(false);
  });

  it('/ready is 503 naming the failing check when Redis is unreachable', async () => {
    const deadPort = await findFreePort();
    const withDeadRedis = await startTestApp({ HEARTH_REDIS_URL: `redis://127.0.0.1:${deadPort}` });
    try {
      const { status, body } = await withDeadRedis.request<{
        error: {
          code: string;
          message: string;
          details: { checks: Record<string, { ok: boolean; error?: string }> };
        };
      }>('GET', '/ready');
      expect(status).toBe(503);
      expect(body.error.code).toBe('ops/not-ready');
      expect(body.error.message).toContain('redis');
      expect(body.error.details.checks.redis?.ok).toBe(false);
      expect(body.error.details.checks.database?.ok).toBe(true);
    } finally {
      await withDeadRedis.close();
    }
  });

  it('/ready is 503 when the S3 endpoint is unreachable', async () => {
    const deadPort = await findFreePort();
    const withDeadS3 = await startTestApp({
      HEARTH_S3_ENDPOINT: `http://127.0.0.1:${deadPort}`,
      HEARTH_S3_BUCKET: 'hearth-files',
      HEARTH_S3_ACCESS_KEY: 'test-access',
      HEARTH_S3_SECRET_KEY: 'test-secret',
    });
    try {
      const { status, body } = await withDeadS3.request<{
        error: { details: { checks: Record<string, { ok: boolean }> } };
      }>('GET', '/ready');
      expect(status).toBe(503);
      expect(body.error.details.checks.storage?.ok).toBe(false);
      expect(body.error.details.checks.database?.ok).toBe(true);
    } finally {
      await withDeadS3.close();
    }
  });

  describe('against a working S3 server', () => {
    const s3 = useS3({ bucket: 'hearth-ready' });
    const withS3 = useComponent(() => startTestApp({ ...s3().env() }), { timeoutMs: 60_000 });

    it('/ready is 200 with storage ok, and 503 naming storage once the bucket is gone', async () => {
      type Checks = Record<string, { ok: boolean; error?: string }>;
      const ready = await withS3().request<{ status: string; checks: Checks }>('GET', '/ready');
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({
        status: 'ok',
        checks: { database: { ok: true }, storage: { ok: true } },
      });

      // The check asks that S3 server, not the data dir: without the bucket, storage fails.
      await s3().newClient().removeBucket(s3().bucket);
      const gone = await withS3().request<{ error: { code: string; details: { checks: Checks } } }>(
        'GET',
        '/ready',
      );
      expect(gone.status).toBe(503);
      expect(gone.body.error.code).toBe('ops/not-ready');
      expect(gone.body.error.details.checks.storage).toEqual({
        ok: false,
        latencyMs: expect.any(Number),
        error: 'bucket hearth-ready does not exist',
      });
    });
  });

  it('/ready is 503 once the database is gone, and /health still answers', async () => {
    const doomed = await startTestApp();
    try {
      await doomed.database.drop();
      const ready = await doomed.request('GET', '/ready');
      expect(ready.status).toBe(503);
      const health = await doomed.request('GET', '/health');
      expect(health.status).toBe(200);
    } finally {
      await doomed.close();
    }
  });
});

describe('/metrics', () => {
  it('exposes a request-duration histogram labelled by route template and status', async () => {
    await app.fetch('/health?cache=bust');
    await app.fetch('/no/such/route/12345');
    const response = await app.fetch('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('# TYPE hearth_http_request_duration_seconds histogram');
    expect(text).toMatch(
      /hearth_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/,
    );
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toContain('12345');
    expect(text).not.toContain('cache=bust');
    expect(text).toContain('hearth_process_cpu_seconds_total');
  });

  it('can be switched off', async () => {
    const quiet = await startTestApp({ HEARTH_METRICS: 'false' });
    try {
      expect((await quiet.fetch('/metrics')).status).toBe(404);
    } finally {
      await quiet.close();
    }
  });
});
