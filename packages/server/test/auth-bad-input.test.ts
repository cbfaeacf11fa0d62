import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  createFirstAdmin,
  signUpVerified,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

let app: TestApp;
let user: { email: string; user: UserBody; session: SessionBody };
let admin: { session: SessionBody };

beforeAll(async () => {
  app = await startAuthApp();
  admin = await createFirstAdmin(app);
  user = await signUpVerified(app);
});
afterAll(async () => {
  await app?.close();
});

const NUL = '\u0000';
const nulEmail = () => `a${NUL}${uniqueEmail()}`;

describe('strings PostgreSQL refuses (NUL, lone surrogates) are a 400, not a 500', () => {
  const cases: Array<[string, string, string, () => unknown, 'user' | 'admin' | 'none']> = [
    ['login email', 'POST', '/api/auth/login', () => ({ email: nulEmail(), password: 'x' }), 'none'],
    [
      'login password',
      'POST',
      '/api/auth/login',
      () => ({ email: uniqueEmail(), password: `a${NUL}` }),
      'none',
    ],
    [
      'signup email',
      'POST',
      '/api/auth/signup',
      () => ({ email: nulEmail(), password: 'x'.repeat(12) }),
      'none',
    ],
    [
      'signup data key',
      'POST',
      '/api/auth/signup',
      () => ({ email: uniqueEmail(), password: 'correct horse battery', data: { [`k${NUL}`]: 1 } }),
      'none',
    ],
    [
      'signup data value',
      'POST',
      '/api/auth/signup',
      () => ({ email: uniqueEmail(), password: 'correct horse battery', data: { deep: [{ k: NUL }] } }),
      'none',
    ],
    ['forgot email', 'POST', '/api/auth/password/forgot', () => ({ email: nulEmail() }), 'none'],
    ['resend email', 'POST', '/api/auth/email/verify/resend', () => ({ email: nulEmail() }), 'none'],
    ['verify token', 'POST', '/api/auth/email/verify', () => ({ token: `t${NUL}` }), 'none'],
    ['refresh token', 'POST', '/api/auth/refresh', () => ({ refreshToken: `t${NUL}` }), 'none'],
    ['anonymous data', 'POST', '/api/auth/anonymous', () => ({ data: { name: NUL } }), 'none'],
    ['PATCH me metadata', 'PATCH', '/api/auth/me', () => ({ metadata: { name: `x${NUL}` } }), 'user'],
    ['PATCH me email', 'PATCH', '/api/auth/me', () => ({ email: nulEmail() }), 'user'],
    [
      'PATCH me metadata, a lone surrogate',
      'PATCH',
      '/api/auth/me',
      () => ({ metadata: { name: '\ud800' } }),
      'user',
    ],
    [
      'signup data key, a lone surrogate',
      'POST',
      '/api/auth/signup',
      () => ({ email: uniqueEmail(), password: 'correct horse battery', data: { '\udc00x': 1 } }),
      'none',
    ],
    [
      'anonymous data, a lone surrogate',
      'POST',
      '/api/auth/anonymous',
      () => ({ data: { name: 'a\udbffb' } }),
      'none',
    ],
    ['admin user create email', 'POST', '/api/admin/users', () => ({ email: nulEmail() }), 'admin'],
    [
      'admin user search',
      'GET',
      `/api/admin/users?search=${encodeURIComponent(NUL)}`,
      () => undefined,
      'admin',
    ],
    ['admin outbox to', 'GET', `/api/admin/outbox?to=${encodeURIComponent(NUL)}`, () => undefined, 'admin'],
  ];

  it.each(cases)('%s', async (_name, method, path, body, caller) => {
    const headers =
      caller === 'user'
        ? bearer(user.session.accessToken)
        : caller === 'admin'
          ? bearer(admin.session.accessToken)
          : undefined;
    const response = await app.request<ErrorBody>(method, path, {
      body: body(),
      ...(headers ? { headers } : {}),
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation/failed');
  });
});

describe('signed access tokens whose ids are not UUIDs', () => {
  let key: { kid: string; privateJwk: JWK };
  beforeAll(async () => {
    const { rows } = await app.hearth.pool.query<{ kid: string; private_jwk: JWK }>(
      'SELECT kid, private_jwk FROM hearth.signing_keys WHERE retired_at IS NULL',
    );
    key = { kid: rows[0]!.kid, privateJwk: rows[0]!.private_jwk };
  });

  async function tokenWith(overrides: Record<string, unknown>): Promise<string> {
    const sid = (
      JSON.parse(Buffer.from(user.session.accessToken.split('.')[1]!, 'base64url').toString()) as {
        sid: string;
      }
    ).sid;
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: 'hearth',
      aud: 'hearth',
      sub: user.user.id,
      sid,
      iat: now,
      exp: now + 600,
      ...overrides,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: 'at+jwt' })
      .sign(await importJWK(key.privateJwk, 'EdDSA'));
  }

  it('control: the same token with UUIDs passes', async () => {
    const response = await app.request('GET', '/api/auth/me', { headers: bearer(await tokenWith({})) });
    expect(response.status).toBe(200);
  });

  it.each([
    ['sid is not a UUID', { sid: 'not-a-uuid' }],
    ['sid holds a NUL', { sid: `${randomUUID()}${NUL}` }],
    ['sub is not a UUID', { sub: 'not-a-uuid' }],
    ['sub is an SQL fragment', { sub: "' OR 1=1 --" }],
  ])('a signed token whose %s is 401 auth/invalid-token, not 500', async (_name, overrides) => {
    const response = await app.request<ErrorBody>('GET', '/api/auth/me', {
      headers: bearer(await tokenWith(overrides)),
    });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('auth/invalid-token');
  });
});

describe('PATCH /api/auth/me metadata cap', () => {
  it('metadata cannot grow past 16 KB by merging over several requests', async () => {
    const { session } = await signUpVerified(app);
    const chunk = 'x'.repeat(6000);
    const statuses: number[] = [];
    for (const key of ['a', 'b', 'c', 'd']) {
      const response = await app.request<ErrorBody>('PATCH', '/api/auth/me', {
        headers: bearer(session.accessToken),
        body: { metadata: { [key]: chunk } },
      });
      statuses.push(response.status);
      if (response.status !== 200) expect(response.body.error.code).toBe('validation/failed');
    }
    expect(statuses).toEqual([200, 200, 400, 400]);
    const { rows } = await app.hearth.pool.query<{ bytes: number }>(
      'SELECT octet_length(metadata::text) AS bytes FROM hearth.users WHERE email = $1',
      [
        (
          await app.request<{ user: UserBody }>('GET', '/api/auth/me', {
            headers: bearer(session.accessToken),
          })
        ).body.user.email,
      ],
    );
    expect(rows[0]!.bytes).toBeLessThanOrEqual(16 * 1024 + 100);
    // Replacing a key with a smaller value still works, as does a merge that fits.
    const shrink = await app.request<{ user: UserBody }>('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { metadata: { a: 'small' } },
    });
    expect(shrink.status).toBe(200);
    expect(Object.keys(shrink.body.user.metadata).sort()).toEqual(['a', 'b']);
  });
});
