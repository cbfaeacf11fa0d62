import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

// The documented defaults (docs/auth.md): a session lives 30 days whatever happens, and ends after
// 7 days without a refresh. Time passes by moving the session's timestamps back in the database.
const DAY_SECONDS = 24 * 60 * 60;

let app: TestApp;
beforeAll(async () => {
  // The revocation cache off, so an access token is checked against the session at once.
  app = await startAuthApp({ HEARTH_AUTH_REVOCATION_CACHE_MS: '0' });
});
afterAll(async () => {
  await app?.close();
});

const sessionId = (session: SessionBody) =>
  (JSON.parse(Buffer.from(session.accessToken.split('.')[1]!, 'base64url').toString()) as { sid: string })
    .sid;

/** Moves a session `seconds` into the past: it was created, and (unless `usedSince`) last used, that long ago. */
async function age(session: SessionBody, seconds: number, usedSince = false): Promise<void> {
  await app.hearth.pool.query(
    `UPDATE hearth.sessions SET created_at = created_at - make_interval(secs => $2),
       expires_at = expires_at - make_interval(secs => $2),
       last_used_at = CASE WHEN $3 THEN now() ELSE last_used_at - make_interval(secs => $2) END,
       auth_time = auth_time - make_interval(secs => $2)
     WHERE id = $1`,
    [sessionId(session), seconds, usedSince],
  );
}

const refresh = (session: SessionBody) =>
  app.request<ErrorBody & { session: SessionBody }>('POST', '/api/auth/refresh', {
    body: { refreshToken: session.refreshToken },
  });

describe('session lifetime', () => {
  it('a new session ends 30 days after it began', async () => {
    const { session } = await signUpVerified(app);
    const { rows } = await app.hearth.pool.query<{ seconds: number }>(
      'SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM hearth.sessions WHERE id = $1',
      [sessionId(session)],
    );
    expect(rows[0]!.seconds).toBe(30 * DAY_SECONDS);
  });

  it('a session refreshed every day still ends after 30 days', async () => {
    const { session } = await signUpVerified(app);
    await age(session, 30 * DAY_SECONDS - 3600, true);
    const stillOpen = await refresh(session);
    expect(stillOpen.status).toBe(200);

    await age(stillOpen.body.session, 3600 + 60, true);
    const ended = await refresh(stillOpen.body.session);
    expect(ended.status).toBe(401);
    expect(ended.body.error.code).toBe('auth/session-revoked');
    const me = await app.request<ErrorBody>('GET', '/api/auth/me', {
      headers: bearer(stillOpen.body.session.accessToken),
    });
    expect(me.status).toBe(401);
  });

  it('a session not refreshed for 7 days ends; one refreshed within 7 days goes on', async () => {
    const idle = (await signUpVerified(app)).session;
    await age(idle, 7 * DAY_SECONDS + 60);
    const ended = await refresh(idle);
    expect(ended.status).toBe(401);
    expect(ended.body.error.code).toBe('auth/session-revoked');

    const recent = (await signUpVerified(app)).session;
    await age(recent, 7 * DAY_SECONDS - 3600);
    expect((await refresh(recent)).status).toBe(200);
  });
});

describe('password hashes', () => {
  it('a hash made with weaker argon2 parameters is redone with the current ones at the next login', async () => {
    const { email } = await signUpVerified(app);
    const weak = await hash(PASSWORD, { algorithm: 2, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    await app.hearth.pool.query('UPDATE hearth.users SET "passwordHash" = $2 WHERE email = $1', [
      email,
      weak,
    ]);

    const login = await app.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
    const { rows } = await app.hearth.pool.query<{ passwordHash: string }>(
      'SELECT "passwordHash" FROM hearth.users WHERE email = $1',
      [email],
    );
    const stored = rows[0]!.passwordHash;
    expect(stored).not.toBe(weak);
    // The documented parameters: argon2id, m = 19 MiB, t = 2, p = 1.
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(
      (await app.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(200);
  });
});
