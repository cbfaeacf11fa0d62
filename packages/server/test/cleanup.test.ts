import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
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
});
