import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTestSchema, createTestServiceKey, type TestApp } from '@hearth/testkit';
import {
  PASSWORD,
  bearer,
  createFirstAdmin,
  outboxCount,
  signUpVerified,
  startAuthApp,
  waitForOutboxMail,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

/**
 * Deleting users: by an admin or a service key (DELETE /api/admin/users/:id)
 * and by the user (DELETE /api/auth/me, after re-authentication). The user's
 * sessions die at once, their credentials go, and every relation to users
 * applies its onDelete.
 */

const open = { list: 'true', view: 'true', create: 'auth != null', update: 'true', delete: 'true' };
const schema = {
  collections: {
    profiles: {
      fields: { owner: { type: 'relation', to: 'users', required: true, onDelete: 'cascade' } },
      rules: open,
    },
    comments: { fields: { author: { type: 'relation', to: 'users' } }, rules: open },
    groups: { fields: { members: { type: 'relation', to: 'users', many: true } }, rules: open },
    invoices: { fields: { customer: { type: 'relation', to: 'users', required: true } }, rules: open },
  },
};

let app: TestApp;
let adminToken: string;
let keyHeaders: Record<string, string>;

beforeAll(async () => {
  app = await startAuthApp();
  adminToken = (await createFirstAdmin(app)).session.accessToken;
  keyHeaders = (await createTestServiceKey(app, adminToken)).headers;
  await applyTestSchema(app, keyHeaders, schema);
});

afterAll(async () => {
  await app?.close();
});

const records = (name: string, id?: string) =>
  `/api/collections/${name}/records${id === undefined ? '' : `/${id}`}`;

async function create(name: string, body: Record<string, unknown>): Promise<string> {
  const response = await app.request<{ id: string }>('POST', records(name), { body, headers: keyHeaders });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id;
}

async function count(sql: string, id: string): Promise<number> {
  const { rows } = await app.hearth.pool.query<{ n: number }>(sql, [id]);
  return rows[0]?.n ?? -1;
}

describe('DELETE /api/admin/users/:id', () => {
  it('ends the sessions at once: the access token is refused and the refresh token fails', async () => {
    const { user, session } = await signUpVerified(app);
    // A records list reads no user row: only the token's cached "still valid" answer, which the delete must drop.
    const probe = () =>
      app.request<ErrorBody>('GET', records('comments'), { headers: bearer(session.accessToken) });
    expect((await probe()).status).toBe(200);

    const deleted = await app.request('DELETE', `/api/admin/users/${user.id}`, {
      headers: bearer(adminToken),
    });
    expect(deleted.status).toBe(204);

    const refused = await probe();
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth/invalid-token');
    const me = await app.request<ErrorBody>('GET', '/api/auth/me', { headers: bearer(session.accessToken) });
    expect(me.status).toBe(401);
    const refresh = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refresh.status).toBe(401);
    expect(refresh.body.error.code).toBe('auth/invalid-token');
    const login = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email: user.email, password: PASSWORD },
    });
    expect(login.status).toBe(401);
    expect((await app.request('GET', `/api/admin/users/${user.id}`, { headers: keyHeaders })).status).toBe(
      404,
    );
  });

  it('removes sessions, refresh tokens, MFA factors, OAuth identities, mail tokens and outbox mail', async () => {
    const { user, email } = await signUpVerified(app);
    await app.request('POST', '/api/auth/password/forgot', { body: { email } });
    await waitForOutboxMail(app, email, /reset/i);
    await app.hearth.pool.query(
      "INSERT INTO hearth.identities (user_id, provider, subject) VALUES ($1, 'github', $2)",
      [user.id, `gh-${user.id}`],
    );
    await app.hearth.pool.query(
      `INSERT INTO hearth.mfa_recovery_codes (user_id, code_hash) VALUES ($1, '\\x01')`,
      [user.id],
    );
    expect(await outboxCount(app, email)).toBeGreaterThan(0);

    const deleted = await app.request('DELETE', `/api/admin/users/${user.id}`, { headers: keyHeaders });
    expect(deleted.status).toBe(204);
    for (const table of ['sessions', 'identities', 'mfa_recovery_codes', 'email_tokens']) {
      expect(await count(`SELECT count(*)::int AS n FROM hearth.${table} WHERE user_id = $1`, user.id)).toBe(
        0,
      );
    }
    expect(
      await count(
        'SELECT count(*)::int AS n FROM hearth.refresh_tokens rt JOIN hearth.sessions s ON s.id = rt.session_id WHERE s.user_id = $1',
        user.id,
      ),
    ).toBe(0);
    expect(await outboxCount(app, email)).toBe(0);
  });

  it('applies each relation to users: cascade deletes, setNull clears, a many relation drops the id', async () => {
    const { user } = await signUpVerified(app);
    const { user: other } = await signUpVerified(app);
    const profile = await create('profiles', { owner: user.id });
    const comment = await create('comments', { author: user.id });
    const group = await create('groups', { members: [other.id, user.id] });

    expect((await app.request('DELETE', `/api/admin/users/${user.id}`, { headers: keyHeaders })).status).toBe(
      204,
    );
    expect((await app.request('GET', records('profiles', profile), { headers: keyHeaders })).status).toBe(
      404,
    );
    const read = (name: string, id: string) =>
      app.request<Record<string, unknown>>('GET', records(name, id), { headers: keyHeaders });
    expect((await read('comments', comment)).body.author).toBeNull();
    expect((await read('groups', group)).body.members).toEqual([other.id]);
  });

  it('a restricting relation refuses the delete (409 naming the collection) and the user keeps working', async () => {
    const { user, session } = await signUpVerified(app);
    await create('profiles', { owner: user.id });
    await create('invoices', { customer: user.id });

    const refused = await app.request<ErrorBody>('DELETE', `/api/admin/users/${user.id}`, {
      headers: keyHeaders,
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({
      code: 'records/referenced',
      details: { collection: 'invoices' },
    });
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(session.accessToken) })).status).toBe(
      200,
    );
    expect(await count('SELECT count(*)::int AS n FROM app.profiles WHERE owner = $1', user.id)).toBe(1);
  });

  it('concurrent duplicate deletes of one user: one 204, the rest 404, never a 500', async () => {
    const { user } = await signUpVerified(app);
    await create('groups', { members: [user.id] });
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () =>
        app.request('DELETE', `/api/admin/users/${user.id}`, { headers: keyHeaders }).then((r) => r.status),
      ),
    );
    expect(statuses.sort()).toEqual([204, 404, 404, 404, 404]);
  });

  it.each([
    ['an unknown id', '00000000-0000-4000-8000-000000000000'],
    ['a malformed id', 'not-a-uuid'],
    ['an id with SQL in it', "1'%20OR%20'1'='1"],
  ])('deleting %s is a 404 admin/not-found, not a 500', async (_what, id) => {
    const response = await app.request<ErrorBody>('DELETE', `/api/admin/users/${id}`, {
      headers: keyHeaders,
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('admin/not-found');
  });

  it('a signed-in user who is not an admin cannot delete anyone (403), anonymous callers get 401', async () => {
    const { user } = await signUpVerified(app);
    const { session } = await signUpVerified(app);
    const path = `/api/admin/users/${user.id}`;
    expect((await app.request('DELETE', path, { headers: bearer(session.accessToken) })).status).toBe(403);
    expect((await app.request('DELETE', path)).status).toBe(401);
    expect((await app.request('GET', path, { headers: keyHeaders })).status).toBe(200);
  });

  it('the record API does not delete users (it would leave their sessions alive)', async () => {
    const { user } = await signUpVerified(app);
    const response = await app.request<ErrorBody>('DELETE', records('users', user.id), {
      headers: keyHeaders,
    });
    expect(response.status).toBe(403);
    expect((await app.request('GET', `/api/admin/users/${user.id}`, { headers: keyHeaders })).status).toBe(
      200,
    );
  });
});

describe('DELETE /api/auth/me', () => {
  it('needs recent authentication; after reauthenticate the account is gone and its token refused', async () => {
    const { user, session } = await signUpVerified(app);
    await app.hearth.pool.query(
      "UPDATE hearth.sessions SET auth_time = now() - interval '1 hour' WHERE user_id = $1",
      [user.id],
    );
    const headers = bearer(session.accessToken);
    const stale = await app.request<ErrorBody>('DELETE', '/api/auth/me', { headers });
    expect(stale.status).toBe(403);
    expect(stale.body.error.code).toBe('auth/recent-auth-required');
    expect((await app.request('GET', '/api/auth/me', { headers })).status).toBe(200);

    const wrong = await app.request('POST', '/api/auth/reauthenticate', {
      headers,
      body: { password: 'not the password at all' },
    });
    expect(wrong.status).toBe(401);
    expect((await app.request('DELETE', '/api/auth/me', { headers })).status).toBe(403);

    const reauth = await app.request('POST', '/api/auth/reauthenticate', {
      headers,
      body: { password: PASSWORD },
    });
    expect(reauth.status).toBe(204);
    expect((await app.request('DELETE', '/api/auth/me', { headers })).status).toBe(204);
    expect((await app.request('GET', '/api/auth/me', { headers })).status).toBe(401);
    expect(await count('SELECT count(*)::int AS n FROM hearth.users WHERE id = $1', user.id)).toBe(0);
  });

  it('a service key cannot use it (403), a signed-out caller gets 401', async () => {
    expect((await app.request('DELETE', '/api/auth/me', { headers: keyHeaders })).status).toBe(403);
    expect((await app.request('DELETE', '/api/auth/me')).status).toBe(401);
  });

  it('the last active admin cannot delete itself (409 admin/last-admin)', async () => {
    const admins = await app.hearth.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM hearth.users WHERE role = 'admin' AND NOT disabled",
    );
    expect(admins.rows[0]?.n).toBe(1);
    const response = await app.request<ErrorBody>('DELETE', '/api/auth/me', { headers: bearer(adminToken) });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('admin/last-admin');
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(adminToken) })).status).toBe(200);
  });

  it('an anonymous user can delete itself (it has no credentials to present again)', async () => {
    const created = await app.request<{ session: SessionBody }>('POST', '/api/auth/anonymous', { body: {} });
    expect(created.status).toBe(201);
    const headers = bearer(created.body.session.accessToken);
    expect((await app.request('DELETE', '/api/auth/me', { headers })).status).toBe(204);
    expect((await app.request('GET', '/api/auth/me', { headers })).status).toBe(401);
  });
});
