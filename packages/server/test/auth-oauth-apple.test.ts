import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importPKCS8, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { useAppleStandIn, useComponent, type ApplePostedForm } from '@hearth/testkit';
import {
  signUpVerified,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

// The Apple preset against a local Sign in with Apple stand-in. "apple" mints
// its client secret from the developer key; "apple-wrong-key" signs with a key
// Apple never issued; "apple-literal" carries a client-secret JWT made by hand.
const APP_ORIGIN = 'http://app.example.test';
const DONE = `${APP_ORIGIN}/done`;
const PROVIDERS = ['apple', 'apple-wrong-key', 'apple-literal'] as const;
type Provider = (typeof PROVIDERS)[number];

const apple = useAppleStandIn();
const app = useComponent(async () => {
  const server = apple();
  const common = { issuer: server.issuer, clientId: server.clientId };
  const key = { teamId: server.teamId, keyId: server.keyId };
  const strangerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();
  const handMadeSecret = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: server.keyId })
    .setIssuer(server.teamId)
    .setSubject(server.clientId)
    .setAudience(server.issuer)
    .setIssuedAt()
    .setExpirationTime('180d')
    .sign(await importPKCS8(server.privateKeyPem, 'ES256'));
  const started = await startAuthApp({
    HEARTH_OAUTH_PROVIDERS: JSON.stringify({
      apple: { ...common, ...key, privateKey: server.privateKeyPem },
      'apple-wrong-key': { preset: 'apple', ...common, ...key, privateKey: strangerKey },
      'apple-literal': { preset: 'apple', ...common, clientSecret: handMadeSecret },
    }),
    HEARTH_AUTH_REDIRECT_URLS: `${APP_ORIGIN}/`,
  });
  server.setRedirectUris(PROVIDERS.map((name) => `${started.url}/api/auth/oauth/${name}/callback`));
  return started;
});

function appleUser(overrides: { email?: string; email_verified?: 'true' | 'false' } = {}) {
  const sub = `001234.${randomBytes(16).toString('hex')}.0123`;
  const email = overrides.email ?? uniqueEmail('apple');
  apple().setAccount({
    sub,
    email,
    email_verified: overrides.email_verified ?? 'true',
    is_private_email: 'false',
    name: { firstName: 'Ada', lastName: 'Lovelace' },
  });
  return { sub, email };
}

const startUrl = (provider: Provider = 'apple', redirectTo: string | undefined = DONE) =>
  `${app().url}/api/auth/oauth/${provider}/start${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ''}`;

/** What the browser does with Apple's auto-submitting page: posts the form to Hearth's callback. */
async function post(
  form: ApplePostedForm | { action: URL; fields: URLSearchParams | string },
  contentType?: string,
) {
  return fetch(form.action, {
    method: 'POST',
    body: form.fields.toString(),
    headers: { 'content-type': contentType ?? 'application/x-www-form-urlencoded' },
    redirect: 'manual',
  });
}

async function signIn(provider: Provider = 'apple') {
  const form = await apple().authorize(startUrl(provider));
  const response = await post(form);
  await response.body?.cancel();
  expect(response.status).toBe(302);
  return { form, location: new URL(response.headers.get('location')!) };
}

async function exchange(code: string | null) {
  return app().request<{ user: UserBody; session: SessionBody } & ErrorBody>(
    'POST',
    '/api/auth/oauth/exchange',
    {
      body: { code },
    },
  );
}

async function signedInUser(provider: Provider = 'apple') {
  const { location } = await signIn(provider);
  expect(location.searchParams.get('error')).toBeNull();
  const response = await exchange(location.searchParams.get('code'));
  expect(response.status).toBe(200);
  return response.body;
}

async function identityCount(sub: string): Promise<number> {
  const { rows } = await app().hearth.pool.query('SELECT 1 FROM hearth.identities WHERE subject = $1', [sub]);
  return rows.length;
}

describe('Sign in with Apple', () => {
  it('asks Apple for a form post with nonce and PKCE', async () => {
    const start = await fetch(startUrl(), { redirect: 'manual' });
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${apple().issuer}/auth/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      client_id: apple().clientId,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'openid email name',
      code_challenge_method: 'S256',
    });
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
  });

  it('signs in through the form-post callback, reading Apple’s string "true" as verified', async () => {
    const { email } = appleUser();
    const { form, location } = await signIn();
    expect(form.fields.get('user')).toContain('Lovelace'); // Apple's first-time name field was posted
    expect(location.origin).toBe(APP_ORIGIN);
    const { user } = (await exchange(location.searchParams.get('code'))).body;
    expect(user).toMatchObject({ email, emailVerified: true });
    // The name Apple posted is unsigned: Hearth keeps none of it.
    expect(user.metadata).toEqual({});
  });

  it('presents a client secret it minted: ES256, kid, iss team, sub client, aud Apple, 5 minutes, reused', async () => {
    appleUser();
    const before = apple().clientSecrets.length;
    await signedInUser();
    await signedInUser();
    const [first, second] = apple().clientSecrets.slice(before);
    expect(decodeProtectedHeader(first!)).toEqual({ alg: 'ES256', kid: apple().keyId });
    const claims = decodeJwt(first!);
    expect(claims).toMatchObject({ iss: apple().teamId, sub: apple().clientId, aud: apple().issuer });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(second).toBe(first);
  });

  it('the same Apple id signs in to the same user; the second time Apple posts no name', async () => {
    appleUser();
    const first = await signedInUser();
    const { form, location } = await signIn();
    expect(form.fields.has('user')).toBe(false);
    expect((await exchange(location.searchParams.get('code'))).body.user.id).toBe(first.user.id);
  });

  it('email_verified "false" never joins the verified account with that address', async () => {
    const { email, user } = await signUpVerified(app());
    const { sub } = appleUser({ email, email_verified: 'false' });
    const { location } = await signIn();
    expect(location.searchParams.get('error')).toBe('auth/identity-conflict');
    expect(await identityCount(sub)).toBe(0);
    expect(user.emailVerified).toBe(true);
  });

  it('a literal clientSecret JWT still works', async () => {
    const { email } = appleUser();
    expect((await signedInUser('apple-literal')).user.email).toBe(email);
  });

  it('a client secret signed with a key Apple did not issue is refused', async () => {
    const { sub } = appleUser();
    const before = apple().tokenRequests.length;
    const { location } = await signIn('apple-wrong-key');
    expect(location.searchParams.get('error')).toBe('auth/oauth-failed');
    expect(apple().tokenRequests.slice(before)).toEqual(['invalid_client']);
    expect(await identityCount(sub)).toBe(0);
  });

  it('an ID token signed with a key missing from Apple’s JWKS is refused', async () => {
    const { sub } = appleUser();
    apple().signWithUnpublishedKey(true);
    try {
      const { location } = await signIn();
      expect(location.searchParams.get('error')).toBe('auth/oauth-failed');
      expect(await identityCount(sub)).toBe(0);
    } finally {
      apple().signWithUnpublishedKey(false);
    }
  });

  it('a replayed form post fails', async () => {
    appleUser();
    const { form } = await signIn();
    const before = apple().tokenRequests.length;
    const replay = await post(form);
    // The state is spent, so Hearth no longer knows where to send the browser: it answers itself.
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as ErrorBody).error.code).toBe('auth/oauth-failed');
    expect(apple().tokenRequests.length).toBe(before);
  });
});

describe('what arrives in Apple’s form post', () => {
  /** A genuine form from Apple, with fields replaced or added. */
  async function genuineForm(change: (fields: URLSearchParams) => void = () => {}) {
    appleUser();
    const form = await apple().authorize(startUrl());
    change(form.fields);
    return form;
  }

  it('missing or garbage fields → auth/oauth-failed, never a 500', async () => {
    const cases: Array<[string, (fields: URLSearchParams) => void]> = [
      ['no code', (f) => f.delete('code')],
      ['an empty code', (f) => f.set('code', '')],
      ['a garbage code', (f) => f.set('code', '\u0000<script>'.repeat(50))],
      ['no state', (f) => f.delete('state')],
      ['a garbage state', (f) => f.set('state', '%%%\uFFFF')],
      ['the state twice', (f) => f.append('state', f.get('state')!)],
      ['the code twice', (f) => f.append('code', 'other')],
      ['an error from Apple', (f) => f.set('error', 'user_cancelled_authorize')],
      ['an iss that is not Apple', (f) => f.set('iss', 'https://evil.example')],
    ];
    for (const [name, change] of cases) {
      const form = await genuineForm(change);
      const response = await post(form);
      expect(response.status, name).toBeGreaterThanOrEqual(300);
      expect(response.status, name).toBeLessThan(500);
      if (response.status === 302) {
        expect(new URL(response.headers.get('location')!).searchParams.get('error'), name).toBe(
          'auth/oauth-failed',
        );
      } else {
        expect(response.status, name).toBe(400);
        expect(((await response.json()) as ErrorBody).error.code, name).toBe('auth/oauth-failed');
      }
    }
  });

  it('bodies that are not a plain form are refused with a 4xx, never a 500', async () => {
    const action = new URL(`${app().url}/api/auth/oauth/apple/callback`);
    const cases: Array<[string, string, string, number]> = [
      ['empty form', '', 'application/x-www-form-urlencoded', 400],
      ['JSON', JSON.stringify({ code: 'x', state: 'y' }), 'application/json', 400],
      ['JSON that is a string', '"code=x"', 'application/json', 400],
      ['JSON with __proto__', '{"__proto__":{"polluted":true},"state":"x"}', 'application/json', 400],
      ['text', 'code=x&state=y', 'text/plain', 415],
      ['latin-1 form', 'code=x&state=y', 'application/x-www-form-urlencoded; charset=latin1', 415],
      ['a form over 64 kB', `state=x&user=${'a'.repeat(70_000)}`, 'application/x-www-form-urlencoded', 413],
      [
        'a form of 5000 fields',
        Array.from({ length: 5000 }, (_, i) => `f${i}=1`).join('&'),
        'application/x-www-form-urlencoded',
        413,
      ],
    ];
    for (const [name, body, contentType, status] of cases) {
      const response = await post({ action, fields: body }, contentType);
      expect(response.status, name).toBe(status);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the `user` field is ignored, whatever it holds', async () => {
    const values = [
      '{"__proto__":{"isAdmin":true,"role":"admin"},"name":{"firstName":"<script>alert(1)</script>"}}',
      '{"constructor":{"prototype":{"isAdmin":true}},"email":"someone-else@example.test"}',
      '{"name":',
      'x'.repeat(60_000),
      '',
    ];
    for (const user of values) {
      const form = await genuineForm((fields) => fields.set('user', user));
      form.fields.append('__proto__', 'polluted');
      form.fields.append('constructor[prototype][isAdmin]', 'true');
      const response = await post(form);
      const location = new URL(response.headers.get('location')!);
      expect(location.searchParams.get('error'), user.slice(0, 40)).toBeNull();
      const { user: signedIn } = (await exchange(location.searchParams.get('code'))).body;
      expect(signedIn.email).not.toBe('someone-else@example.test');
      expect(signedIn.role).toBe('user');
      expect(signedIn.metadata).toEqual({});
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
