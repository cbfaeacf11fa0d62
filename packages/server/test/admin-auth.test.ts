import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  uniqueEmail,
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

describe('first admin through the setup token', () => {
  it('refuses a wrong token, accepts the right one once, then reports setup complete', async () => {
    expect(app.hearth.setupUrl).toMatch(/\/_\/setup\?token=/);
    const wrong = await app.request<ErrorBody>('POST', '/api/admin/setup', {
      body: { token: 'not-the-token', email: uniqueEmail('admin'), password: PASSWORD },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('admin/invalid-setup-token');

    const { user, session, email } = await createFirstAdmin(app);
    expect(user).toMatchObject({ email, role: 'admin', emailVerified: true });
    const me = await app.request<{ user: UserBody }>('GET', '/api/auth/me', {
      headers: bearer(session.accessToken),
    });
    expect(me.body.user.role).toBe('admin');

    const { rows } = await app.hearth.pool.query("SELECT 1 FROM hearth.secrets WHERE name = 'setup-token'");
    expect(rows).toHaveLength(0);
    const { rows: done } = await app.hearth.pool.query(
      "SELECT 1 FROM hearth.instance WHERE key = 'setup-complete'",
    );
    expect(done).toHaveLength(1);
    const again = await app.request<ErrorBody>('POST', '/api/admin/setup', {
      body: { token: 'anything', email: uniqueEmail('admin'), password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('admin/setup-complete');
  });
});

describe('admin API', () => {
  let admin: SessionBody;
  beforeAll(async () => {
    const login = await app.request<{ session: SessionBody; user: UserBody }>('POST', '/api/auth/login', {
      body: {
        email: (
          await app.hearth.pool.query<{ email: string }>(
            "SELECT email FROM hearth.users WHERE role = 'admin'",
          )
        ).rows[0]!.email,
        password: PASSWORD,
      },
    });
    admin = login.body.session;
  });

  it('is closed to signed-out callers (401) and to ordinary users (403)', async () => {
    const anonymous = await app.request<ErrorBody>('GET', '/api/admin/users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('auth/unauthenticated');
    const { session } = await signUpVerified(app);
    for (const [method, path] of [
      ['GET', '/api/admin/users'],
      ['GET', '/api/admin/keys'],
      ['POST', '/api/admin/keys'],
      ['GET', '/api/admin/outbox'],
      ['POST', `/api/admin/outbox/${randomUUID()}/retry`],
      ['POST', '/api/admin/signing-keys/rotate'],
    ] as const) {
      const response = await app.request<ErrorBody>(method, path, {
        headers: bearer(session.accessToken),
        ...(method === 'POST' ? { body: { name: 'x' } } : {}),
      });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.body.error.code).toBe('auth/forbidden');
    }
  });

  it('service keys: created with a visible prefix and shown once, listed without the secret, usable, revocable', async () => {
    const created = await app.request<{ id: string; name: string; key: string; prefix: string }>(
      'POST',
      '/api/admin/keys',
      {
        headers: bearer(admin.accessToken),
        body: { name: 'ci' },
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^hearth_sk_[A-Za-z0-9_-]{43}$/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);

    const list = await app.request<{ items: Array<Record<string, unknown>> }>('GET', '/api/admin/keys', {
      headers: bearer(created.body.key),
    });
    expect(list.status).toBe(200);
    expect(list.body.items.find((item) => item.id === created.body.id)).toMatchObject({
      name: 'ci',
      prefix: created.body.prefix,
    });
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    const { rows } = await app.hearth.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM hearth.service_keys WHERE encode(key_hash, 'escape') LIKE '%' || $1 || '%'",
      [created.body.key],
    );
    expect(rows[0]?.n).toBe('0');

    // A service key is not a user.
    const me = await app.request<ErrorBody>('GET', '/api/auth/me', { headers: bearer(created.body.key) });
    expect(me.status).toBe(403);

    const revoke = await app.request('DELETE', `/api/admin/keys/${created.body.id}`, {
      headers: bearer(admin.accessToken),
    });
    expect(revoke.status).toBe(204);
    const after = await app.request<ErrorBody>('GET', '/api/admin/keys', {
      headers: bearer(created.body.key),
    });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('auth/invalid-token');
    const missing = await app.request<ErrorBody>('DELETE', `/api/admin/keys/${randomUUID()}`, {
      headers: bearer(admin.accessToken),
    });
    expect(missing.body.error.code).toBe('admin/not-found');
  });

  it('users: create, search, verify, disable (ending sessions), re-enable', async () => {
    const email = uniqueEmail('managed');
    const created = await app.request<{ user: UserBody }>('POST', '/api/admin/users', {
      headers: bearer(admin.accessToken),
      body: { email, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const duplicate = await app.request<ErrorBody>('POST', '/api/admin/users', {
      headers: bearer(admin.accessToken),
      body: { email, password: PASSWORD },
    });
    expect(duplicate.body.error.code).toBe('auth/email-taken');

    const search = await app.request<{ items: UserBody[] }>(
      'GET',
      `/api/admin/users?search=${encodeURIComponent(email.slice(0, 14))}`,
      {
        headers: bearer(admin.accessToken),
      },
    );
    expect(search.body.items.map((user) => user.email)).toEqual([email]);

    const id = created.body.user.id;
    const verify = await app.request<{ user: UserBody }>('PATCH', `/api/admin/users/${id}`, {
      headers: bearer(admin.accessToken),
      body: { emailVerified: true },
    });
    expect(verify.body.user.emailVerified).toBe(true);
    const login = await app.request<{ session: SessionBody }>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(login.status).toBe(200);

    const disable = await app.request<{ user: UserBody }>('PATCH', `/api/admin/users/${id}`, {
      headers: bearer(admin.accessToken),
      body: { disabled: true },
    });
    expect(disable.body.user.disabled).toBe(true);
    const me = await app.request<ErrorBody>('GET', '/api/auth/me', {
      headers: bearer(login.body.session.accessToken),
    });
    expect(me.body.error.code).toBe('auth/session-revoked');
    const refresh = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: login.body.session.refreshToken },
    });
    expect(refresh.body.error.code).toBe('auth/session-revoked');
    const blocked = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email, password: PASSWORD },
    });
    expect(blocked.body.error.code).toBe('auth/user-disabled');
    const wrongPassword = await app.request<ErrorBody>('POST', '/api/auth/login', {
      body: { email, password: 'wrong wrong' },
    });
    expect(wrongPassword.body.error.code).toBe('auth/invalid-credentials');

    await app.request('PATCH', `/api/admin/users/${id}`, {
      headers: bearer(admin.accessToken),
      body: { disabled: false },
    });
    expect(
      (await app.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(200);
  });

  it('revokes a user’s sessions', async () => {
    const { user, session } = await signUpVerified(app);
    const response = await app.request<{ revoked: number }>(
      'POST',
      `/api/admin/users/${user.id}/revoke-sessions`,
      {
        headers: bearer(admin.accessToken),
      },
    );
    expect(response.body.revoked).toBe(1);
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(session.accessToken) })).status).toBe(
      401,
    );
  });

  it('pages through users with a cursor', async () => {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: { body: { items: UserBody[]; nextCursor: string | null } } = await app.request(
        'GET',
        `/api/admin/users?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        {
          headers: bearer(admin.accessToken),
        },
      );
      for (const user of page.body.items) seen.add(user.id);
      cursor = page.body.nextCursor;
    } while (cursor);
    const { rows } = await app.hearth.pool.query<{ n: string }>('SELECT count(*) AS n FROM hearth.users');
    expect(seen.size).toBe(Number(rows[0]?.n));
  });

  it('pages users created in the same millisecond, and refuses a forged cursor with 400', async () => {
    const tag = randomUUID().slice(0, 8);
    await app.hearth.pool.query(
      `INSERT INTO hearth.users (email, "createdAt")
       SELECT 'ms-' || $1 || '-' || g || '@example.test', '2020-01-01T00:00:00.123Z'::timestamptz + g * interval '1 microsecond'
       FROM generate_series(1, 5) g`,
      [tag],
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: UserBody[]; nextCursor: string | null } } =
        await app.request(
          'GET',
          `/api/admin/users?search=ms-${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          {
            headers: bearer(admin.accessToken),
          },
        );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((user) => user.email!));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((g) => `ms-${tag}-${g}@example.test`));

    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [
      'not-base64-json',
      forged({ createdAt: 'yesterday', id: randomUUID() }),
      forged({ createdAt: '2030-02-30T00:00:00Z', id: randomUUID() }),
      forged({ createdAt: '2030-01-01T00:00:00Z', id: 'not-a-uuid' }),
      forged({ createdAt: '2030-01-01T00:00:00Z', id: "x'); DROP TABLE hearth.users; --" }),
      forged(['yesterday', randomUUID()]),
      forged(['2030-02-30T00:00:00Z', randomUUID()]),
      forged(['2030-01-01T00:00:00Z', 'not-a-uuid']),
      forged(['2030-01-01T00:00:00Z', randomUUID(), 'extra']),
    ]) {
      const response = await app.request<ErrorBody>('GET', `/api/admin/users?cursor=${bad}`, {
        headers: bearer(admin.accessToken),
      });
      expect(response.status, bad).toBe(400);
      // The same answer as a bad cursor of the record API.
      expect(response.body.error).toMatchObject({ code: 'query/invalid', details: { param: 'cursor' } });
    }
  });

  it('reads the mail outbox', async () => {
    const email = uniqueEmail('outbox');
    await app.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    await expect
      .poll(async () => {
        const outbox = await app.request<{ items: Array<{ to: string; subject: string; text: string }> }>(
          'GET',
          `/api/admin/outbox?to=${encodeURIComponent(email)}`,
          { headers: bearer(admin.accessToken) },
        );
        return outbox.body.items.map((item) => item.subject);
      })
      .toEqual(['Confirm your email address']);
  });

  describe('the outbox', () => {
    type Mail = { id: string; to: string; status: string; attempts: number; lastError: string | null };
    /** Mail rows as the delivery worker leaves them (this app has no SMTP, so nothing else touches them). */
    async function insertMail(
      to: string,
      status: string,
      fields: { attempts?: number; lastError?: string } = {},
    ) {
      const { rows } = await app.hearth.pool.query<{ id: string }>(
        `INSERT INTO hearth.outbox ("to", subject, text, status, attempts, last_error, next_attempt_at)
         VALUES ($1, 'Reset your password', 'body', $2, $3, $4, CASE WHEN $2 = 'queued' THEN now() + interval '1 hour' END)
         RETURNING id`,
        [to, status, fields.attempts ?? 0, fields.lastError ?? null],
      );
      return rows[0]!.id;
    }
    const retry = (id: string, token = admin.accessToken) =>
      app.request<{ mail: Mail } & ErrorBody>('POST', `/api/admin/outbox/${id}/retry`, {
        headers: bearer(token),
      });
    const list = (query: string) =>
      app.request<{ items: Mail[]; nextCursor: string | null } & ErrorBody>(
        'GET',
        `/api/admin/outbox?${query}`,
        {
          headers: bearer(admin.accessToken),
        },
      );

    it('filters by status, and refuses a status that does not exist', async () => {
      const to = uniqueEmail('status');
      const failed = await insertMail(to, 'failed', { attempts: 1, lastError: '550 no such mailbox' });
      const queued = await insertMail(to, 'queued', { attempts: 2 });
      await insertMail(to, 'sent', { attempts: 1 });
      const only = async (status: string) =>
        (await list(`to=${encodeURIComponent(to)}&status=${status}`)).body.items.map((item) => item.id);
      expect(await only('failed')).toEqual([failed]);
      expect(await only('queued')).toEqual([queued]);
      expect((await list(`to=${encodeURIComponent(to)}`)).body.items).toHaveLength(3);
      expect(await only('kept')).toEqual([]);

      // Across every recipient, the failed filter returns failed mail only.
      const everyFailed = (await list('status=failed&limit=500')).body.items;
      expect(everyFailed.map((item) => item.id)).toContain(failed);
      expect(everyFailed.every((item) => item.status === 'failed')).toBe(true);

      for (const bad of ['FAILED', 'bounced', '', 'failed%00', "failed' OR '1'='1"]) {
        const response = await list(`status=${encodeURIComponent(bad)}`);
        expect(response.status, bad).toBe(400);
        expect(response.body.error.code).toBe('validation/failed');
      }
    });

    it('pages without losing mail created in the same millisecond, and refuses a forged cursor with 400', async () => {
      const to = uniqueEmail('pages');
      await app.hearth.pool.query(
        `INSERT INTO hearth.outbox ("to", subject, text, created_at)
         SELECT $1, 's' || g, 't', '2030-01-01T00:00:00.123Z'::timestamptz + g * interval '1 microsecond'
         FROM generate_series(1, 5) g`,
        [to],
      );
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`to=${encodeURIComponent(to)}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        seen.push(...page.body.items.map((item) => (item as unknown as { subject: string }).subject));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['s5', 's4', 's3', 's2', 's1']);

      const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      for (const bad of [
        'not-base64-json',
        forged(null),
        forged(42),
        forged({ createdAt: 'yesterday', id: randomUUID() }),
        forged({ createdAt: '2030-02-30T00:00:00Z', id: randomUUID() }),
        forged({ createdAt: '2030-01-01T00:00:00Z', id: 'not-a-uuid' }),
        forged({ createdAt: '2030-01-01T00:00:00Z' }),
        forged({ createdAt: ['2030-01-01T00:00:00Z'], id: randomUUID() }),
        forged(['yesterday', randomUUID()]),
        forged([null, randomUUID()]),
        forged(['2030-01-01T00:00:00Z']),
      ]) {
        const response = await list(`cursor=${bad}`);
        expect(response.status, bad).toBe(400);
        expect(response.body.error).toMatchObject({ code: 'query/invalid', details: { param: 'cursor' } });
      }
    });

    it('retries a failed mail: queued again, attempts reset, due now', async () => {
      const id = await insertMail(uniqueEmail('retry'), 'failed', {
        attempts: 8,
        lastError: '451 try later',
      });
      const response = await retry(id);
      expect(response.status).toBe(200);
      expect(response.body.mail).toMatchObject({
        id,
        status: 'queued',
        attempts: 0,
        lastError: '451 try later',
      });
      const { rows } = await app.hearth.pool.query<{ due: boolean }>(
        'SELECT next_attempt_at <= now() AS due FROM hearth.outbox WHERE id = $1',
        [id],
      );
      expect(rows).toEqual([{ due: true }]);

      // Now queued: a second retry is refused and changes nothing.
      const again = await retry(id);
      expect(again.status).toBe(409);
      expect(again.body.error).toMatchObject({
        code: 'admin/mail-not-failed',
        details: { status: 'queued' },
      });
    });

    it('lets a service key retry too', async () => {
      const key = await app.request<{ key: string }>('POST', '/api/admin/keys', {
        headers: bearer(admin.accessToken),
        body: { name: 'mail-ops' },
      });
      const id = await insertMail(uniqueEmail('key'), 'failed', { attempts: 1 });
      const response = await retry(id, key.body.key);
      expect(response.status).toBe(200);
      expect(response.body.mail).toMatchObject({ id, status: 'queued', attempts: 0 });
    });

    it('retries a failed mail once when two admins click at the same time', async () => {
      const id = await insertMail(uniqueEmail('race'), 'failed', { attempts: 1 });
      const answers = await Promise.all([retry(id), retry(id), retry(id)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
      // The two that lost found it already queued again by the winner.
      for (const lost of answers.filter((answer) => answer.status === 409)) {
        expect(lost.body.error).toMatchObject({
          code: 'admin/mail-not-failed',
          details: { status: 'queued' },
        });
      }
      const { rows } = await app.hearth.pool.query(
        'SELECT status, attempts FROM hearth.outbox WHERE id = $1',
        [id],
      );
      expect(rows).toEqual([{ status: 'queued', attempts: 0 }]);
    });

    it.each(['queued', 'sent', 'kept'])('refuses to retry a %s mail with 409', async (status) => {
      const id = await insertMail(uniqueEmail(status), status, { attempts: status === 'kept' ? 0 : 1 });
      const response = await retry(id);
      expect(response.status).toBe(409);
      expect(response.body.error).toMatchObject({ code: 'admin/mail-not-failed', details: { status } });
      const { rows } = await app.hearth.pool.query('SELECT status FROM hearth.outbox WHERE id = $1', [id]);
      expect(rows).toEqual([{ status }]);
    });

    it('answers 404 for an unknown mail and 400 for an id that is not a uuid', async () => {
      const unknown = await retry(randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('admin/not-found');
      for (const bad of [
        '42',
        'not-a-uuid',
        `${randomUUID()}x`,
        '%27%20OR%201%3D1--',
        '00000000-0000-0000-0000',
      ]) {
        const response = await retry(bad);
        expect(response.status, bad).toBe(400);
        expect(response.body.error).toMatchObject({
          code: 'validation/failed',
          details: { fields: [expect.objectContaining({ path: 'id' })] },
        });
      }
    });

    it('asks who is calling before looking at the id', async () => {
      const anonymous = await app.request<ErrorBody>('POST', '/api/admin/outbox/not-a-uuid/retry');
      expect(anonymous.status).toBe(401);
      const { session } = await signUpVerified(app);
      const user = await retry('not-a-uuid', session.accessToken);
      expect(user.status).toBe(403);
      expect(user.body.error.code).toBe('auth/forbidden');
    });
  });

  it('rotates the signing key; tokens signed by the old key keep working and both keys are published', async () => {
    const before = await app.request<{ keys: Array<{ kid: string; alg: string; kty: string; crv: string }> }>(
      'GET',
      '/.well-known/jwks.json',
    );
    expect(before.body.keys[0]).toMatchObject({ alg: 'EdDSA', kty: 'OKP', crv: 'Ed25519' });
    expect(JSON.stringify(before.body)).not.toMatch(/"d":/);
    const rotate = await app.request<{ kid: string }>('POST', '/api/admin/signing-keys/rotate', {
      headers: bearer(admin.accessToken),
    });
    expect(rotate.status).toBe(200);
    const after = await app.request<{ keys: Array<{ kid: string }> }>('GET', '/.well-known/jwks.json');
    const kids = after.body.keys.map((key) => key.kid);
    expect(kids).toContain(rotate.body.kid);
    for (const key of before.body.keys) expect(kids).toContain(key.kid);
    // Only the new key can sign: the retired ones keep their public half alone.
    const { rows } = await app.hearth.pool.query<{ kid: string; has_private: boolean }>(
      'SELECT kid, private_jwk IS NOT NULL AS has_private FROM hearth.signing_keys',
    );
    expect(rows.filter((row) => row.has_private).map((row) => row.kid)).toEqual([rotate.body.kid]);
    expect(rows.map((row) => row.kid).sort()).toEqual([...kids].sort());
    expect((await app.request('GET', '/api/auth/me', { headers: bearer(admin.accessToken) })).status).toBe(
      200,
    );
    const refreshed = await app.request<{ session: SessionBody }>('POST', '/api/auth/refresh', {
      body: { refreshToken: admin.refreshToken },
    });
    const header = JSON.parse(
      Buffer.from(refreshed.body.session.accessToken.split('.')[0]!, 'base64url').toString(),
    ) as { kid: string };
    expect(header.kid).toBe(rotate.body.kid);
    admin = refreshed.body.session;
  });
});
