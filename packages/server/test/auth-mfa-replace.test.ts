import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  enrollTotp,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  totpCodeAt,
  type ErrorBody,
  type SessionBody,
} from './auth-test-helpers.js';

let app: TestApp;
beforeAll(async () => {
  app = await startAuthApp();
});
afterAll(async () => {
  await app?.close();
});

interface Enrolled {
  email: string;
  secret: string;
  recoveryCodes: string[];
  session: SessionBody;
}

/** A user with TOTP on, and a session that has just presented the password again (a fresh session). */
async function enrolledWithFreshSession(): Promise<Enrolled> {
  const { email, session } = await signUpVerified(app);
  const headers = bearer(session.accessToken);
  const { secret, recoveryCodes } = await enrollTotp(app, session);
  const reauth = await app.request('POST', '/api/auth/reauthenticate', {
    headers,
    body: { password: PASSWORD },
  });
  expect(reauth.status).toBe(204);
  return { email, secret, recoveryCodes, session };
}

async function storedFactor(email: string) {
  const { rows } = await app.hearth.pool.query<{ totpSecret: string; totpPendingSecret: string | null }>(
    'SELECT "totpSecret", "totpPendingSecret" FROM hearth.users WHERE email = $1',
    [email],
  );
  return rows[0]!;
}

/** Logs in with the password and answers the MFA challenge with `code`. */
async function loginWithCode(email: string, code: string): Promise<number> {
  const login = await app.request<{ mfa: { ticket: string } }>('POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  const verify = await app.request('POST', '/api/auth/mfa/verify', {
    body: { ticket: login.body.mfa.ticket, code },
  });
  return verify.status;
}

describe('MFA cannot be replaced or removed without the current factor', () => {
  it('a fresh session (password only) cannot start a new TOTP enrolment that would replace the old one', async () => {
    const { email, session } = await enrolledWithFreshSession();
    const before = await storedFactor(email);
    const headers = bearer(session.accessToken);

    const bare = await app.request<ErrorBody>('POST', '/api/auth/mfa/totp/enroll', { headers });
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('auth/mfa-code-required');
    const wrong = await app.request<ErrorBody>('POST', '/api/auth/mfa/totp/enroll', {
      headers,
      body: { code: '000000' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('auth/invalid-mfa-code');

    // Nothing was started, so nothing can be confirmed over the old factor.
    expect(await storedFactor(email)).toEqual({ ...before, totpPendingSecret: null });
    const confirm = await app.request<ErrorBody>('POST', '/api/auth/mfa/totp/confirm', {
      headers,
      body: { code: '123456' },
    });
    expect(confirm.status).toBe(400);
    expect((await storedFactor(email)).totpSecret).toBe(before.totpSecret);
  });

  it.each([
    ['a current TOTP code', (enrolled: Enrolled) => totpCodeAt(enrolled.secret, 0)],
    ['a recovery code', (enrolled: Enrolled) => enrolled.recoveryCodes[0]!],
  ])('with %s, TOTP is replaced and only the new app works', async (_name, currentCode) => {
    const enrolled = await enrolledWithFreshSession();
    const headers = bearer(enrolled.session.accessToken);
    const enroll = await app.request<{ secret: string }>('POST', '/api/auth/mfa/totp/enroll', {
      headers,
      body: { code: currentCode(enrolled) },
    });
    expect(enroll.status).toBe(200);
    const confirm = await app.request('POST', '/api/auth/mfa/totp/confirm', {
      headers,
      body: { code: totpCodeAt(enroll.body.secret, -1) },
    });
    expect(confirm.status).toBe(200);
    expect(await loginWithCode(enrolled.email, totpCodeAt(enrolled.secret, 1))).toBe(401);
    expect(await loginWithCode(enrolled.email, totpCodeAt(enroll.body.secret, 0))).toBe(200);
  });

  it('new recovery codes need a current code; the old ones then stop working', async () => {
    const { email, recoveryCodes, session, secret } = await enrolledWithFreshSession();
    const headers = bearer(session.accessToken);
    const bare = await app.request<ErrorBody>('POST', '/api/auth/mfa/recovery-codes', { headers });
    expect(bare.status).toBe(403);
    expect(bare.body.error.code).toBe('auth/mfa-code-required');
    const wrong = await app.request<ErrorBody>('POST', '/api/auth/mfa/recovery-codes', {
      headers,
      body: { code: 'aaaa-bbbb-cccc-dddd' },
    });
    expect(wrong.body.error.code).toBe('auth/invalid-mfa-code');
    expect(await loginWithCode(email, recoveryCodes[1]!)).toBe(200);

    const fresh = await app.request<{ recoveryCodes: string[] }>('POST', '/api/auth/mfa/recovery-codes', {
      headers,
      body: { code: totpCodeAt(secret, 0) },
    });
    expect(fresh.status).toBe(200);
    expect(fresh.body.recoveryCodes).toHaveLength(10);
    expect(await loginWithCode(email, recoveryCodes[2]!)).toBe(401);
    expect(await loginWithCode(email, fresh.body.recoveryCodes[0]!)).toBe(200);
  });

  it('removing TOTP needs a current code: none is 400, a wrong one 401, a recovery code works', async () => {
    const { email, recoveryCodes, session } = await enrolledWithFreshSession();
    const headers = bearer(session.accessToken);
    const bare = await app.request<ErrorBody>('POST', '/api/auth/mfa/totp/disable', { headers });
    expect(bare.status).toBe(400);
    const wrong = await app.request<ErrorBody>('POST', '/api/auth/mfa/totp/disable', {
      headers,
      body: { code: '000000' },
    });
    expect(wrong.body.error.code).toBe('auth/invalid-mfa-code');
    expect((await storedFactor(email)).totpSecret).not.toBeNull();
    const disable = await app.request<{ user: { mfaEnabled: boolean } }>(
      'POST',
      '/api/auth/mfa/totp/disable',
      {
        headers,
        body: { code: recoveryCodes[0] },
      },
    );
    expect(disable.body.user.mfaEnabled).toBe(false);
  });

  it('a first enrolment (MFA off) needs no code', async () => {
    const { session } = await signUpVerified(app);
    const enroll = await app.request('POST', '/api/auth/mfa/totp/enroll', {
      headers: bearer(session.accessToken),
    });
    expect(enroll.status).toBe(200);
  });
});
