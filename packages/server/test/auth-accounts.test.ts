import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  uniqueEmail,
  waitForOutboxMail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

let app: TestApp;
beforeAll(async () => {
  app = await startAuthApp();
});
afterAll(async () => {
  await app?.close();
});

const PRIVATE_FIELDS = [
  'passwordHash',
  'totpSecret',
  'totpPendingSecret',
  'totpLastStep',
  'passwordChangedAt',
];

describe('sign-up and login', () => {
  it('signs up with 201 {user, session: null} and a confirmation mail, then logs in once confirmed', async () => {
    const email = uniqueEmail();
    const signup = await app.request<{ user: UserBody; session: SessionBody | null }>(
      'POST',
      '/api/auth/signup',
      {
        body: { email: email.toUpperCase(), password: PASSWORD, data: { name: 'Ada' } },
      },
    );
    expect(signup.status).toBe(201);
    expect(signup.body.session).toBeNull();
    expect(signup.body.user).toMatchObject({
      email,
      emailVerified: false,
      role: 'user',
      anonymous: false,
      metadata: { name: 'Ada' },
    });
    for (const field of PRIVATE_FIELDS) expect(signup.body.user).not.toHaveProperty(field);

    const early = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(early.status).toBe(403);
    expect(early.body.error.code).toBe('auth/email-not-verified');

    const { token, link } = await waitForOutboxMail(app, email, /confirm your email/i);
    expect(link).toContain(`${app.url}/_/auth/verify-email?token=`);
    const verified = await app.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token },
    });
    expect(verified.status).toBe(200);
    expect(verified.body.user.emailVerified).toBe(true);
    const again = await app.request<ErrorBody>('POST', '/api/auth/email/verify', { body: { token } });
    expect(again.body.error.code).toBe('auth/link-invalid');

    const login = await app.request<{ user: UserBody; session: SessionBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.session.tokenType).toBe('Bearer');
    expect(login.body.session.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const now = Date.now() / 1000;
    expect(login.body.session.expiresAt).toBeGreaterThan(now + 890);
    expect(login.body.session.expiresAt).toBeLessThan(now + 910);

    const me = await app.request<{ user: UserBody }>('GET', '/api/auth/me', {
      headers: bearer(login.body.session.accessToken),
    });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(signup.body.user.id);
  });

  it('stores argon2id hashes at OWASP parameters, never the password', async () => {
    const { email } = await signUpVerified(app);
    const { rows } = await app.hearth.pool.query<{ passwordHash: string }>(
      'SELECT "passwordHash" FROM hearth.users WHERE email = $1',
      [email],
    );
    expect(rows[0]?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it.each([
    ['too short', 'short1!', 'too-short'],
    ['common', 'password123', 'common'],
    ['common, other case', 'PASSWORD123', 'common'],
    ['too long', 'x'.repeat(1025), 'too-long'],
  ])('rejects a %s password with auth/weak-password', async (_name, password, reason) => {
    const response = await app.request<ErrorBody>('POST', '/api/auth/signup', {
      body: { email: uniqueEmail(), password },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('auth/weak-password');
    expect(response.body.error.details).toEqual({ reason });
  });

  it('accepts a long passphrase without truncating it', async () => {
    const passphrase = 'the quick brown fox jumps over the lazy dog '.repeat(10);
    const { email } = await signUpVerified(app, uniqueEmail(), passphrase);
    const truncated = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email, password: passphrase.slice(0, 72) },
    });
    expect(truncated.status).toBe(401);
    expect(truncated.body.error.code).toBe('auth/invalid-credentials');
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const { email } = await signUpVerified(app);
    const wrong = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email, password: 'not the password' },
    });
    const unknown = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email: uniqueEmail('nobody'), password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.error.code).toBe('auth/invalid-credentials');
  });

  it('GET /api/auth/me without a token is 401 auth/unauthenticated', async () => {
    const response = await app.request<ErrorBody>('GET', '/api/auth/me');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/unauthenticated');
  });

  it('PATCH /api/auth/me merges metadata', async () => {
    const { session } = await signUpVerified(app);
    await app.request('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { metadata: { a: 1 } },
    });
    const response = await app.request<{ user: UserBody }>('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { metadata: { b: 2 } },
    });
    expect(response.body.user.metadata).toEqual({ a: 1, b: 2 });
  });
});

describe('refresh tokens', () => {
  it('rotates on every use', async () => {
    const { user, session } = await signUpVerified(app);
    const first = await app.request<{ session: SessionBody }>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.session.refreshToken).not.toBe(session.refreshToken);
    const second = await app.request<{ session: SessionBody }>('POST', '/api/auth/refresh', {
      body: { refreshToken: first.body.session.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(second.body.session.refreshToken).not.toBe(first.body.session.refreshToken);
    const me = await app.request<{ user: UserBody }>('GET', '/api/auth/me', {
      headers: bearer(second.body.session.accessToken),
    });
    expect(me.body.user.id).toBe(user.id);
  });

  it('stores refresh tokens only as hashes', async () => {
    const { session } = await signUpVerified(app);
    const { rows } = await app.hearth.pool.query<{ found: boolean }>(
      "SELECT bool_or(encode(token_hash, 'escape') LIKE '%' || $1 || '%') AS found FROM hearth.refresh_tokens",
      [session.refreshToken],
    );
    expect(rows[0]?.found).toBe(false);
  });

  it('two concurrent refreshes with one token yield at most one new session', async () => {
    const { session } = await signUpVerified(app);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.request<{ session?: SessionBody }>('POST', '/api/auth/refresh', {
          body: { refreshToken: session.refreshToken },
        }),
      ),
    );
    expect(results.filter((result) => result.status === 200).length).toBe(1);
    for (const result of results) expect([200, 401]).toContain(result.status);
  });

  it('an unknown refresh token is 401 auth/invalid-token', async () => {
    const response = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: 'x'.repeat(43) },
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });
});

describe('ending sessions', () => {
  it('logout ends the session: its refresh token and its access token stop working at once', async () => {
    const { session } = await signUpVerified(app);
    const logout = await app.request('POST', '/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
    });
    expect(logout.status).toBe(204);
    const refresh = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refresh.body.error.code).toBe('auth/session-revoked');
    const me = await app.request<ErrorBody>('GET', '/api/auth/me', { headers: bearer(session.accessToken) });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('auth/session-revoked');
  });

  it('lists sessions and revokes one; logout-all ends the rest', async () => {
    const { email, session } = await signUpVerified(app);
    const other = await app.request<{ session: SessionBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    const list = await app.request<{ items: Array<{ id: string; current: boolean }> }>(
      'GET',
      '/api/auth/sessions',
      {
        headers: bearer(session.accessToken),
      },
    );
    expect(list.body.items).toHaveLength(2);
    const otherId = list.body.items.find((item) => !item.current)?.id;
    expect(otherId).toBeDefined();
    const revoke = await app.request('DELETE', `/api/auth/sessions/${otherId}`, {
      headers: bearer(session.accessToken),
    });
    expect(revoke.status).toBe(204);
    expect(
      (await app.request('GET', '/api/auth/me', { headers: bearer(other.body.session.accessToken) })).status,
    ).toBe(401);
    const notMine = await app.request<ErrorBody>('DELETE', `/api/auth/sessions/${crypto.randomUUID()}`, {
      headers: bearer(session.accessToken),
    });
    expect(notMine.body.error.code).toBe('auth/not-found');

    const third = await app.request<{ session: SessionBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(
      (await app.request('POST', '/api/auth/logout-all', { headers: bearer(session.accessToken) })).status,
    ).toBe(204);
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(session.accessToken) })).status).toBe(
      401,
    );
    expect(
      (await app.request('GET', '/api/auth/me', { headers: bearer(third.body.session.accessToken) })).status,
    ).toBe(401);
  });

  it('changing the password ends every session and returns a fresh one', async () => {
    const { email, session } = await signUpVerified(app);
    const other = await app.request<{ session: SessionBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    const change = await app.request<{ session: SessionBody }>('POST', '/api/auth/password/change', {
      headers: bearer(session.accessToken),
      body: { currentPassword: PASSWORD, password: 'a brand new passphrase' },
    });
    expect(change.status).toBe(200);
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(session.accessToken) })).status).toBe(
      401,
    );
    expect(
      (await app.request('GET', '/api/auth/me', { headers: bearer(other.body.session.accessToken) })).status,
    ).toBe(401);
    expect(
      (await app.request('GET', '/api/auth/me', { headers: bearer(change.body.session.accessToken) })).status,
    ).toBe(200);
    const oldLogin = await app.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(oldLogin.status).toBe(401);
  });

  it('a wrong current password does not change it', async () => {
    const { session } = await signUpVerified(app);
    const change = await app.request<ErrorBody>('POST', '/api/auth/password/change', {
      headers: bearer(session.accessToken),
      body: { currentPassword: 'wrong wrong wrong', password: 'a brand new passphrase' },
    });
    expect(change.status).toBe(401);
    expect(change.body.error.code).toBe('auth/invalid-credentials');
  });

  it('requires recent authentication for a password change without the current password', async () => {
    const { session } = await signUpVerified(app);
    await app.hearth.pool.query("UPDATE hearth.sessions SET auth_time = now() - interval '1 hour'");
    const change = await app.request<ErrorBody>('POST', '/api/auth/password/change', {
      headers: bearer(session.accessToken),
      body: { password: 'a brand new passphrase' },
    });
    expect(change.status).toBe(403);
    expect(change.body.error.code).toBe('auth/recent-auth-required');
    const reauth = await app.request('POST', '/api/auth/reauthenticate', {
      headers: bearer(session.accessToken),
      body: { password: PASSWORD },
    });
    expect(reauth.status).toBe(204);
    const retry = await app.request('POST', '/api/auth/password/change', {
      headers: bearer(session.accessToken),
      body: { password: 'a brand new passphrase' },
    });
    expect(retry.status).toBe(200);
  });
});

describe('anonymous users', () => {
  it('signs in anonymously and upgrades to an email account, keeping the same user', async () => {
    const anonymous = await app.request<{ user: UserBody; session: SessionBody }>(
      'POST',
      '/api/auth/anonymous',
      {
        body: { data: { cart: [1, 2] } },
      },
    );
    expect(anonymous.status).toBe(201);
    expect(anonymous.body.user).toMatchObject({ anonymous: true, email: null });
    const token = anonymous.body.session.accessToken;

    const email = uniqueEmail('upgrade');
    const patch = await app.request<{ user: UserBody; emailChangePending?: boolean }>(
      'PATCH',
      '/api/auth/me',
      {
        headers: bearer(token),
        body: { email, password: PASSWORD },
      },
    );
    expect(patch.status).toBe(200);
    expect(patch.body.emailChangePending).toBe(true);
    const mail = await waitForOutboxMail(app, email, /new email address/i);
    const confirm = await app.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token: mail.token },
    });
    expect(confirm.status).toBe(200);
    expect(confirm.body.user).toMatchObject({
      id: anonymous.body.user.id,
      email,
      emailVerified: true,
      anonymous: false,
      metadata: { cart: [1, 2] },
    });
    const login = await app.request<{ user: UserBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(anonymous.body.user.id);
  });
});

describe('nasty input', () => {
  it.each([
    ['malformed JSON', '{"email":', 400, 'http/invalid-json'],
    ['a number for the email', JSON.stringify({ email: 5, password: PASSWORD }), 400, 'validation/failed'],
    ['an array body', JSON.stringify([1, 2]), 400, 'validation/failed'],
    [
      'unknown keys',
      JSON.stringify({ email: 'a@b.test', password: PASSWORD, role: 'admin' }),
      400,
      'validation/failed',
    ],
    [
      'a huge email',
      JSON.stringify({ email: `${'a'.repeat(100_000)}@x.test`, password: PASSWORD }),
      400,
      'validation/failed',
    ],
    [
      'a huge password',
      JSON.stringify({ email: 'a@b.test', password: 'p'.repeat(100_000) }),
      400,
      'validation/failed',
    ],
    [
      '__proto__ key',
      '{"email":"a@b.test","password":"x","__proto__":{"role":"admin"}}',
      400,
      'http/forbidden-key',
    ],
    [
      'SQL in the email',
      JSON.stringify({ email: "a@b.test' OR '1'='1", password: PASSWORD }),
      400,
      'validation/failed',
    ],
  ])('signup with %s → %i %s', async (_name, body, status, code) => {
    const response = await app.request<ErrorBody>('POST', '/api/auth/signup', { body });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });

  it('lists each bad field in validation details', async () => {
    const response = await app.request<ErrorBody>('POST', '/api/auth/signup', {
      body: { email: 7, password: [] },
    });
    const fields = (response.body.error.details as { fields: Array<{ path: string }> }).fields.map(
      (field) => field.path,
    );
    expect(fields).toEqual(expect.arrayContaining(['email', 'password']));
  });

  it('SQL-injection-looking emails on login are just unknown accounts', async () => {
    const accounts = async () =>
      (await app.hearth.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM hearth.users')).rows[0]?.n;
    const { email: real } = await signUpVerified(app);
    const before = await accounts();
    expect(before).toBeGreaterThan(0);
    for (const email of [
      "' OR 1=1 --",
      "x@y.test'; DROP TABLE hearth.users; --",
      '"; SELECT pg_sleep(5); --',
    ]) {
      const response = await app.request<ErrorBody>('POST', '/api/auth/login', {
        body: { email, password: PASSWORD },
      });
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('auth/invalid-credentials');
    }
    // hearth.users is still there with every account in it, and a real account still signs in.
    expect(await accounts()).toBe(before);
    const login = await app.request('POST', '/api/auth/login', { body: { email: real, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it('concurrent duplicate sign-ups create exactly one account', async () => {
    const email = uniqueEmail('dup');
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } }),
      ),
    );
    for (const result of results) expect(result.status).toBe(201);
    const { rows } = await app.hearth.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM hearth.users WHERE email = $1',
      [email],
    );
    expect(rows[0]?.n).toBe('1');
  });
});
