import { Secret, TOTP } from 'otpauth';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  PASSWORD,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function start(env: Record<string, string>): Promise<TestApp> {
  const app = await startAuthApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false', ...env });
  apps.push(app);
  return app;
}

async function signUp(app: TestApp, email: string): Promise<SessionBody> {
  const { status, body } = await app.request<{ session: SessionBody }>('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD },
  });
  expect(status).toBe(201);
  return body.session;
}

async function logIn(app: TestApp, email: string): Promise<SessionBody> {
  const { status, body } = await app.request<{ session: SessionBody }>('POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  expect(status).toBe(200);
  return body.session;
}

const refresh = (app: TestApp, refreshToken: string) =>
  app.request<{ session: SessionBody } & ErrorBody>('POST', '/api/auth/refresh', { body: { refreshToken } });

/** Makes every ended session look as if it ended eight days ago (past the 7-day default). */
async function ageEndedSessions(app: TestApp): Promise<void> {
  await app.hearth.pool.query(
    "UPDATE hearth.sessions SET revoked_at = now() - interval '8 days' WHERE revoked_at IS NOT NULL",
  );
}

async function sessionCount(app: TestApp): Promise<number> {
  const { rows } = await app.hearth.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM hearth.sessions',
  );
  return rows[0]!.n;
}

async function count(app: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await app.hearth.pool.query<{ n: number }>(`SELECT count(*)::int AS n ${sql}`, params);
  return rows[0]!.n;
}

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

/** Signs in with a password and completes the MFA challenge with `code`. */
async function mfaLogin(app: TestApp, email: string, code: string) {
  const login = await app.request<{ mfa: { ticket: string } }>('POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return app.request<{ session: SessionBody } & ErrorBody>('POST', '/api/auth/mfa/verify', {
    body: { ticket: login.body.mfa.ticket, code },
  });
}

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('periodic cleanup of expired rows', () => {
  it('deletes a long-ended session and old outbox mail, while live sessions keep working and still catch token reuse', async () => {
    const app = await start({ HEARTH_CLEANUP_INTERVAL: '1' });
    const email = uniqueEmail();
    const first = await signUp(app, email);
    const second = await logIn(app, email);
    expect(
      (await app.request('POST', '/api/auth/logout', { body: { refreshToken: second.refreshToken } })).status,
    ).toBe(204);
    // Rotate the live session once: its first refresh token is now spent, which must stay on record.
    const rotated = await refresh(app, first.refreshToken);
    expect(rotated.status).toBe(200);

    // Two reset mails in the outbox (no SMTP configured; mail is written after the answer): one made old, one fresh.
    const resetMails = async () => {
      const { rows } = await app.hearth.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM hearth.outbox WHERE subject = 'Reset your password'",
      );
      return rows[0]!.n;
    };
    expect((await app.request('POST', '/api/auth/password/forgot', { body: { email } })).status).toBe(202);
    await waitFor(async () => (await resetMails()) === 1, 'the first reset mail');
    await app.hearth.pool.query(
      "UPDATE hearth.outbox SET created_at = now() - interval '31 days' WHERE subject = 'Reset your password'",
    );
    expect((await app.request('POST', '/api/auth/password/forgot', { body: { email } })).status).toBe(202);
    await waitFor(async () => (await resetMails()) === 2, 'the second reset mail');

    await ageEndedSessions(app);
    await waitFor(async () => (await sessionCount(app)) === 1, 'the ended session to be deleted');

    await waitFor(async () => (await resetMails()) === 1, 'the old mail to be deleted');
    const { rows: mail } = await app.hearth.pool.query<{ recent: boolean }>(
      "SELECT created_at > now() - interval '1 day' AS recent FROM hearth.outbox WHERE subject = 'Reset your password'",
    );
    expect(mail).toEqual([{ recent: true }]);

    // The deleted session's token is still refused.
    const gone = await refresh(app, second.refreshToken);
    expect(gone.status).toBe(401);
    expect(gone.body.error.code).toBe('auth/invalid-token');

    // The live session is listed and refreshes.
    const listed = await app.request<{ items: Array<{ current: boolean }> }>('GET', '/api/auth/sessions', {
      headers: bearer(rotated.body.session.accessToken),
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const next = await refresh(app, rotated.body.session.refreshToken);
    expect(next.status).toBe(200);

    // Replaying the spent first token is still detected as reuse and ends the family.
    const replay = await refresh(app, first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('auth/session-revoked');
    expect((await refresh(app, next.body.session.refreshToken)).status).toBe(401);

    const metrics = await (await app.fetch('/metrics')).text();
    expect(metrics).toMatch(/^hearth_cleanup_deleted_rows_total\{table="sessions"\} 1$/m);
    expect(metrics).toMatch(/^hearth_cleanup_deleted_rows_total\{table="outbox"\} 1$/m);
  });

  it('deletes nothing with HEARTH_CLEANUP_INTERVAL=0', async () => {
    const app = await start({ HEARTH_CLEANUP_INTERVAL: '0' });
    const email = uniqueEmail();
    const session = await signUp(app, email);
    expect(
      (await app.request('POST', '/api/auth/logout', { body: { refreshToken: session.refreshToken } }))
        .status,
    ).toBe(204);
    await ageEndedSessions(app);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(await sessionCount(app)).toBe(1);
    // Still there, so the answer is still the descriptive one.
    const refused = await refresh(app, session.refreshToken);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('auth/session-revoked');
    const metrics = await (await app.fetch('/metrics')).text();
    expect(metrics).not.toMatch(/^hearth_cleanup_deleted_rows_total\{/m);
  });

  it('deletes used recovery codes, revoked service keys and retired signing keys after their time; none of them works before or after', async () => {
    const app = await start({ HEARTH_CLEANUP_INTERVAL: '1' });
    const admin = await createFirstAdmin(app);
    const oldKid = kidOf(admin.session.accessToken);

    // Two service keys, each used and then revoked: refused at once.
    const serviceKey = async (name: string) => {
      const created = await app.request<{ id: string; key: string }>('POST', '/api/admin/keys', {
        headers: bearer(admin.session.accessToken),
        body: { name },
      });
      expect(created.status).toBe(201);
      return created.body;
    };
    const listKeysWith = (key: string) =>
      app.request<ErrorBody>('GET', '/api/admin/keys', { headers: bearer(key) });
    const keptKey = await serviceKey('revoked-29-days-ago');
    const deletedKey = await serviceKey('revoked-31-days-ago');
    for (const key of [keptKey, deletedKey]) {
      expect((await listKeysWith(key.key)).status).toBe(200);
      const revoked = await app.request('DELETE', `/api/admin/keys/${key.id}`, {
        headers: bearer(admin.session.accessToken),
      });
      expect(revoked.status).toBe(204);
      expect((await listKeysWith(key.key)).status).toBe(401);
    }

    // A user with MFA spends a recovery code: it is refused a second time.
    const email = uniqueEmail('mfa');
    const session = await signUp(app, email);
    const enroll = await app.request<{ secret: string }>('POST', '/api/auth/mfa/totp/enroll', {
      headers: bearer(session.accessToken),
    });
    const totp = new TOTP({ secret: Secret.fromBase32(enroll.body.secret), digits: 6, period: 30 });
    const confirm = await app.request<{ recoveryCodes: string[] }>('POST', '/api/auth/mfa/totp/confirm', {
      headers: bearer(session.accessToken),
      body: { code: totp.generate() },
    });
    expect(confirm.status).toBe(200);
    const [spent, unused] = confirm.body.recoveryCodes;
    expect((await mfaLogin(app, email, spent!)).status).toBe(200);
    expect((await mfaLogin(app, email, spent!)).body.error.code).toBe('auth/invalid-mfa-code');

    // The signing key is rotated: the old row keeps only its public half.
    const rotate = await app.request<{ kid: string }>('POST', '/api/admin/signing-keys/rotate', {
      headers: bearer(admin.session.accessToken),
    });
    expect(rotate.status).toBe(200);
    expect(
      await count(app, 'FROM hearth.signing_keys WHERE kid = $1 AND private_jwk IS NULL', [oldKid]),
    ).toBe(1);

    // Everything ages past its time, except one revoked key still within the default 30 days.
    const db = app.hearth.pool;
    await db.query("UPDATE hearth.service_keys SET revoked_at = now() - interval '29 days' WHERE id = $1", [
      keptKey.id,
    ]);
    await db.query("UPDATE hearth.service_keys SET revoked_at = now() - interval '31 days' WHERE id = $1", [
      deletedKey.id,
    ]);
    await db.query(
      "UPDATE hearth.mfa_recovery_codes SET used_at = now() - interval '31 days' WHERE used_at IS NOT NULL",
    );
    // Past the JWKS window (access-token TTL 900 s + 300 s).
    await db.query("UPDATE hearth.signing_keys SET retired_at = now() - interval '1 hour' WHERE kid = $1", [
      oldKid,
    ]);
    // The key still within its retention is refused right up to its deletion.
    expect((await listKeysWith(keptKey.key)).status).toBe(401);

    await waitFor(
      async () =>
        (await count(app, 'FROM hearth.service_keys WHERE id = $1', [deletedKey.id])) === 0 &&
        (await count(app, 'FROM hearth.mfa_recovery_codes WHERE used_at IS NOT NULL')) === 0 &&
        (await count(app, 'FROM hearth.signing_keys WHERE kid = $1', [oldKid])) === 0,
      'the spent credentials to be deleted',
    );
    expect(await count(app, 'FROM hearth.service_keys WHERE id = $1', [keptKey.id])).toBe(1);
    expect(await count(app, 'FROM hearth.mfa_recovery_codes')).toBe(9);

    // Deleted or not, a revoked key is an unknown key.
    for (const key of [keptKey, deletedKey]) {
      const refused = await listKeysWith(key.key);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('auth/invalid-token');
    }
    // The spent code stays spent; an unused one still works.
    const again = await mfaLogin(app, email, spent!);
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('auth/invalid-mfa-code');
    expect((await mfaLogin(app, email, unused!)).status).toBe(200);
    // The active key signs on.
    const refreshed = await refresh(app, admin.session.refreshToken);
    expect(refreshed.status).toBe(200);
    expect(kidOf(refreshed.body.session.accessToken)).toBe(rotate.body.kid);

    const metrics = await (await app.fetch('/metrics')).text();
    expect(metrics).toMatch(/^hearth_cleanup_deleted_rows_total\{table="service_keys"\} 1$/m);
    expect(metrics).toMatch(/^hearth_cleanup_deleted_rows_total\{table="mfa_recovery_codes"\} 1$/m);
    expect(metrics).toMatch(/^hearth_cleanup_deleted_rows_total\{table="signing_keys"\} 1$/m);
  });
});
