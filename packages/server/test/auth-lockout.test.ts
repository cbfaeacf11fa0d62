import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, useComponent, type TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

/** Logs in as if from `ip` (the app trusts X-Forwarded-For from the test's own address). */
function loginFrom(app: TestApp, ip: string, email: string, password: string) {
  return app.request<ErrorBody>('POST', '/api/auth/login', {
    headers: { 'x-forwarded-for': ip },
    body: { email, password },
  });
}

describe('lockout as a weapon (per-client login limits, documented allowances)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startAuthApp({ HEARTH_RATE_LIMIT_FACTOR: '1', HEARTH_TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('an attacker with 15 wrong passwords from address A cannot stop the owner signing in from address B', async () => {
    const { email } = await signUpVerified(app);
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++)
      statuses.push((await loginFrom(app, '198.51.100.7', email, 'wrong guess')).status);
    // Ten tries for one account from one client, then 429.
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(5).fill(429)]);
    // The attacker's address stays throttled, even with the right password.
    expect((await loginFrom(app, '198.51.100.7', email, PASSWORD)).status).toBe(429);
    // The owner, elsewhere, is not.
    expect((await loginFrom(app, '203.0.113.9', email, PASSWORD)).status).toBe(200);
  });

  it('one client is throttled after 30 attempts over any accounts', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++)
      statuses.push((await loginFrom(app, '198.51.100.30', `spray-${i}@example.test`, 'wrong guess')).status);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('the account-wide backstop against a distributed attack', () => {
  let app: TestApp;
  let admin: { session: SessionBody };
  // HEARTH_RATE_LIMIT_FACTOR 0.2: the backstop allows 20 failures an hour, a client 2 per account.
  beforeAll(async () => {
    app = await startAuthApp({ HEARTH_RATE_LIMIT_FACTOR: '0.2', HEARTH_TRUST_PROXY: '127.0.0.1' });
    admin = await createFirstAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('wrong passwords from many addresses slow every sign-in to the account, until an admin unlocks it', async () => {
    const { email, user } = await signUpVerified(app);
    for (let i = 0; i < 20; i++)
      expect((await loginFrom(app, `192.0.2.${i}`, email, 'wrong')).status).toBe(401);
    const tripped = await loginFrom(app, '192.0.2.200', email, 'wrong');
    expect(tripped.status).toBe(429);
    expect(tripped.body.error.code).toBe('http/rate-limited');
    expect(tripped.headers.get('retry-after')).toBe('60');
    // The backstop holds for the owner too, from a fresh address (OWASP: a delay, not a lockout).
    const owner = await loginFrom(app, '192.0.2.201', email, PASSWORD);
    expect(owner.status).toBe(429);
    expect(Number(owner.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(owner.headers.get('retry-after'))).toBeLessThanOrEqual(60);

    const unlock = await app.request<{ user: { id: string } }>('POST', `/api/admin/users/${user.id}/unlock`, {
      headers: bearer(admin.session.accessToken),
    });
    expect(unlock.status).toBe(200);
    expect(unlock.body.user.id).toBe(user.id);
    expect((await loginFrom(app, '192.0.2.201', email, PASSWORD)).status).toBe(200);
  });

  it('an unlock also lifts the per-client limit of every address', async () => {
    const { email, user } = await signUpVerified(app);
    for (let i = 0; i < 2; i++) expect((await loginFrom(app, '192.0.2.50', email, 'wrong')).status).toBe(401);
    expect((await loginFrom(app, '192.0.2.50', email, PASSWORD)).status).toBe(429);
    await app.request('POST', `/api/admin/users/${user.id}/unlock`, {
      headers: bearer(admin.session.accessToken),
    });
    expect((await loginFrom(app, '192.0.2.50', email, PASSWORD)).status).toBe(200);
  });

  it('unlock is admin-only and answers 404 for an unknown user', async () => {
    const { session, user } = await signUpVerified(app);
    const asUser = await app.request<ErrorBody>('POST', `/api/admin/users/${user.id}/unlock`, {
      headers: bearer(session.accessToken),
    });
    expect(asUser.status).toBe(403);
    const unknown = await app.request<ErrorBody>(
      'POST',
      '/api/admin/users/00000000-0000-4000-8000-000000000000/unlock',
      { headers: bearer(admin.session.accessToken) },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('admin/not-found');
  });
});

describe('login limits shared through Redis', () => {
  const redis = useComponent(() => startRedis());

  it('an unlock on one node lifts the limit an attacker set through another', async () => {
    const env = { HEARTH_RATE_LIMIT_FACTOR: '1', HEARTH_TRUST_PROXY: '127.0.0.1', ...redis().env() };
    const first = await startAuthApp(env);
    // One database and one Redis: two nodes of one deployment.
    const second = await startAuthApp({ ...env, HEARTH_DATABASE_URL: first.database.url });
    try {
      const admin = await createFirstAdmin(first);
      const { email, user } = await signUpVerified(first);
      for (let i = 0; i < 10; i++)
        expect((await loginFrom(first, '198.51.100.99', email, 'wrong guess')).status).toBe(401);
      expect((await loginFrom(second, '198.51.100.99', email, PASSWORD)).status).toBe(429);
      const unlock = await first.request('POST', `/api/admin/users/${user.id}/unlock`, {
        headers: bearer(admin.session.accessToken),
      });
      expect(unlock.status).toBe(200);
      expect((await loginFrom(second, '198.51.100.99', email, PASSWORD)).status).toBe(200);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
