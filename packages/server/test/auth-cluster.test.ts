import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startHearth, type HearthInstance } from '@hearth/server';
import { startRedis, useComponent, type RedisHandle, type TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  signUpVerified,
  startAuthApp,
  type ErrorBody,
} from './auth-test-helpers.js';

/** Two nodes on one database and one Redis, with a long revocation cache so only the broadcast can explain a fast 401. */
const redis = useComponent<RedisHandle>(() => startRedis());
let nodeA: TestApp | undefined;
let nodeB: HearthInstance | undefined;

beforeAll(async () => {
  let env: Record<string, string>;
  try {
    env = { ...redis().env(), HEARTH_AUTH_REVOCATION_CACHE_MS: '60000' };
  } catch {
    return; // Redis unavailable: every test is skipped
  }
  nodeA = await startAuthApp(env);
  nodeB = await startHearth(
    loadConfig({
      env: {
        ...env,
        HEARTH_DATABASE_URL: nodeA.database.url,
        HEARTH_PORT: '0',
        HEARTH_DATA_DIR: nodeA.dataDir,
        HEARTH_LOG_LEVEL: 'silent',
        HEARTH_RATE_LIMIT_FACTOR: '1000',
      },
    }),
  );
});
afterAll(async () => {
  await nodeB?.close();
  await nodeA?.close();
});

describe('revocation across nodes', () => {
  it('a logout on one node ends the access token on another at once', async () => {
    const { session } = await signUpVerified(nodeA!);
    const onB = () => fetch(`${nodeB!.url}/api/auth/me`, { headers: bearer(session.accessToken) });
    expect((await onB()).status).toBe(200); // node B now caches "valid" for 60 s
    const logout = await nodeA!.request('POST', '/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    expect(logout.status).toBe(204);
    await expect.poll(async () => (await onB()).status, { timeout: 2_000, interval: 50 }).toBe(401);
    const body = (await (await onB()).json()) as ErrorBody;
    expect(body.error.code).toBe('auth/session-revoked');
  });

  it('a user deleted on one node has its access token refused on another at once', async () => {
    const admin = await createFirstAdmin(nodeA!);
    const { user, session } = await signUpVerified(nodeA!);
    // GET sessions reads no user row: only node B's cached "valid" answer keeps it 200.
    const onB = () => fetch(`${nodeB!.url}/api/auth/sessions`, { headers: bearer(session.accessToken) });
    expect((await onB()).status).toBe(200);
    const deleted = await nodeA!.request('DELETE', `/api/admin/users/${user.id}`, {
      headers: bearer(admin.session.accessToken),
    });
    expect(deleted.status).toBe(204);
    await expect.poll(async () => (await onB()).status, { timeout: 2_000, interval: 50 }).toBe(401);
  });
});
