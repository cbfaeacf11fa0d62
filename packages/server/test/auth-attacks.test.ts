import { createHmac, randomUUID } from 'node:crypto';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
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
let victim: { user: UserBody; session: SessionBody; email: string };
let activeKey: { kid: string; privateJwk: JWK; publicJwk: JWK };

beforeAll(async () => {
  app = await startAuthApp();
  victim = await signUpVerified(app);
  const { rows } = await app.hearth.pool.query<{ kid: string; private_jwk: JWK; public_jwk: JWK }>(
    'SELECT kid, private_jwk, public_jwk FROM hearth.signing_keys WHERE retired_at IS NULL',
  );
  activeKey = { kid: rows[0]!.kid, privateJwk: rows[0]!.private_jwk, publicJwk: rows[0]!.public_jwk };
});
afterAll(async () => {
  await app?.close();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}) {
  return {
    iss: 'hearth',
    aud: 'hearth',
    sub: victim.user.id,
    sid: JSON.parse(Buffer.from(victim.session.accessToken.split('.')[1]!, 'base64url').toString())
      .sid as string,
    iat: now(),
    exp: now() + 600,
    role: 'admin',
    ...overrides,
  };
}

async function signWithRealKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const key = await importJWK(activeKey.privateJwk, 'EdDSA');
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'EdDSA', kid: activeKey.kid, typ: 'at+jwt', ...header })
    .sign(key);
}

async function meWith(token: string) {
  return app.request<ErrorBody & { user: UserBody }>('GET', '/api/auth/me', { headers: bearer(token) });
}

describe('forged and misused tokens are rejected with 401', () => {
  it('control: a token signed with the real key and right claims passes (the forgeries below differ in one thing)', async () => {
    expect((await meWith(await signWithRealKey(claims()))).status).toBe(200);
  });

  it('alg:none', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt', kid: activeKey.kid })}.${b64(claims())}.`;
    const response = await meWith(token);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('HS256 signed with the public key', async () => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: activeKey.kid });
    const payload = b64(claims());
    for (const secret of [
      JSON.stringify(activeKey.publicJwk),
      Buffer.from(activeKey.publicJwk.x!, 'base64url'),
    ]) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      const response = await meWith(`${header}.${payload}.${signature}`);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('auth/invalid-token');
    }
  });

  it.each([
    ['wrong aud', { aud: 'some-other-api' }],
    ['wrong iss', { iss: 'https://evil.example' }],
    ['no sid', { sid: undefined }],
    ['a session id that does not exist', { sid: randomUUID() }],
  ])('%s', async (_name, overrides) => {
    const response = await meWith(await signWithRealKey(claims(overrides)));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('wrong typ (an ID-token-like JWT)', async () => {
    const response = await meWith(await signWithRealKey(claims(), { typ: 'JWT' }));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('expired', async () => {
    const response = await meWith(await signWithRealKey(claims({ iat: now() - 3600, exp: now() - 60 })));
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/token-expired');
  });

  it('refresh token used as an access token', async () => {
    const response = await meWith(victim.session.refreshToken);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('reset token used as an access token', async () => {
    await app.request('POST', '/api/auth/password/forgot', { body: { email: victim.email } });
    const { token } = await waitForOutboxMail(app, victim.email, /reset your password/i);
    const response = await meWith(token);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('unknown kid (a key the server never had)', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'EdDSA', kid: randomUUID(), typ: 'at+jwt' })
      .sign(privateKey);
    const response = await meWith(forged);
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });

  it('a real kid on a token signed by another key', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const forged = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'EdDSA', kid: activeKey.kid, typ: 'at+jwt' })
      .sign(privateKey);
    expect((await meWith(forged)).status).toBe(401);
  });

  it.each([
    ['garbage', 'Bearer not-a-token'],
    ['a basic header', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['a revoked-looking service key', 'Bearer hearth_sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('%s is 401, never silently anonymous', async (_name, authorization) => {
    const response = await app.request<ErrorBody>('POST', '/api/auth/login', {
      headers: { authorization },
      body: { email: victim.email, password: PASSWORD },
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });
});

describe('refresh token reuse', () => {
  it('reusing a rotated refresh token revokes the whole family', async () => {
    const { session } = await signUpVerified(app);
    const rotated = await app.request<{ session: SessionBody }>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(rotated.status).toBe(200);
    const reuse = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(reuse.status).toBe(401);
    expect(reuse.body.error.code).toBe('auth/session-revoked');
    // The thief's rotation and the legitimate holder's newest token are both dead now.
    const next = await app.request<ErrorBody>('POST', '/api/auth/refresh', {
      body: { refreshToken: rotated.body.session.refreshToken },
    });
    expect(next.body.error.code).toBe('auth/session-revoked');
    const me = await meWith(rotated.body.session.accessToken);
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('auth/session-revoked');
  });
});

describe('password reset tokens', () => {
  it('20 concurrent uses of one reset token succeed exactly once', async () => {
    const { email } = await signUpVerified(app);
    await app.request('POST', '/api/auth/password/forgot', { body: { email } });
    const { token } = await waitForOutboxMail(app, email, /reset your password/i);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        app.request('POST', '/api/auth/password/reset', {
          body: { token, password: `new passphrase number ${i}` },
        }),
      ),
    );
    const winners = results
      .map((result, i) => [result.status, i] as const)
      .filter(([status]) => status === 200);
    expect(winners).toHaveLength(1);
    for (const result of results) expect([200, 400]).toContain(result.status);
    const winner = winners[0]![1];
    const login = await app.request('POST', '/api/auth/login', {
      body: { email, password: `new passphrase number ${winner}` },
    });
    expect(login.status).toBe(200);
  });

  it('a reset token dies when the account moves to another address', async () => {
    const { email, session } = await signUpVerified(app);
    await app.request('POST', '/api/auth/password/forgot', { body: { email } });
    const reset = await waitForOutboxMail(app, email, /reset your password/i);
    const newEmail = uniqueEmail('moved');
    await app.request('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { email: newEmail },
    });
    const change = await waitForOutboxMail(app, newEmail, /new email address/i);
    expect(
      (await app.request('POST', '/api/auth/email/verify', { body: { token: change.token } })).status,
    ).toBe(200);
    const response = await app.request<ErrorBody>('POST', '/api/auth/password/reset', {
      body: { token: reset.token, password: 'another new passphrase' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('auth/link-invalid');
  });

  it('an expired reset token is refused', async () => {
    const { email } = await signUpVerified(app);
    await app.request('POST', '/api/auth/password/forgot', { body: { email } });
    const { token } = await waitForOutboxMail(app, email, /reset your password/i);
    await app.hearth.pool.query("UPDATE hearth.email_tokens SET expires_at = now() - interval '1 second'");
    const response = await app.request<ErrorBody>('POST', '/api/auth/password/reset', {
      body: { token, password: 'another new passphrase' },
    });
    expect(response.body.error.code).toBe('auth/link-invalid');
  });

  it('resetting the password ends every session', async () => {
    const { email, session } = await signUpVerified(app);
    await app.request('POST', '/api/auth/password/forgot', { body: { email } });
    const { token } = await waitForOutboxMail(app, email, /reset your password/i);
    expect(
      (
        await app.request('POST', '/api/auth/password/reset', {
          body: { token, password: 'fresh new passphrase' },
        })
      ).status,
    ).toBe(200);
    expect((await meWith(session.accessToken)).status).toBe(401);
  });
});
