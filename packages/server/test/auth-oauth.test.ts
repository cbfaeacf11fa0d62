import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bearer,
  signUpVerified,
  useTestIdpApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

const APP_ORIGIN = 'http://app.example.test';
const { idp, app } = useTestIdpApp(APP_ORIGIN);

function account(email = uniqueEmail('oidc'), emailVerified = true) {
  const sub = `sub-${randomBytes(6).toString('hex')}`;
  idp().setAccount({ sub, email, email_verified: emailVerified });
  return { sub, email };
}

/** Walks start → provider → callback and returns where Hearth sends the browser. */
async function signInThroughProvider(
  startPath = `/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`,
) {
  const callback = await idp().followAuthorization(`${app().url}${startPath}`);
  const response = await fetch(callback, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { callback, response, location: location ? new URL(location) : undefined };
}

async function exchange(code: string) {
  return app().request<{ user: UserBody; session: SessionBody } & ErrorBody>(
    'POST',
    '/api/auth/oauth/exchange',
    { body: { code } },
  );
}

describe('OpenID Connect sign-in', () => {
  it('lists the configured providers', async () => {
    const response = await app().request<{ items: Array<{ name: string }> }>('GET', '/api/auth/providers');
    expect(response.body.items.map((p) => p.name)).toEqual(['testidp']);
  });

  it('signs in with state, nonce and PKCE, and hands the app a one-time code', async () => {
    const { email } = account();
    const startResponse = await app().fetch(
      `/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`,
      {
        redirect: 'manual',
      },
    );
    expect(startResponse.status).toBe(302);
    const authorize = new URL(startResponse.headers.get('location')!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();

    const { location } = await signInThroughProvider();
    expect(location?.origin).toBe(APP_ORIGIN);
    expect(location?.pathname).toBe('/done');
    const code = location!.searchParams.get('code')!;
    const first = await exchange(code);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ email, emailVerified: true });
    expect(
      (await app().request('GET', '/api/auth/me', { headers: bearer(first.body.session.accessToken) }))
        .status,
    ).toBe(200);
    const replay = await exchange(code);
    expect(replay.body.error.code).toBe('auth/invalid-token');
  });

  it('the same identity signs in to the same user', async () => {
    account();
    const first = await exchange((await signInThroughProvider()).location!.searchParams.get('code')!);
    const second = await exchange((await signInThroughProvider()).location!.searchParams.get('code')!);
    expect(second.body.user.id).toBe(first.body.user.id);
  });

  it('an OAuth sign-in never lands on a pre-registered unverified account', async () => {
    const email = uniqueEmail('victim');
    // The attacker registers the victim's address first and never confirms it.
    const signup = await app().request('POST', '/api/auth/signup', {
      body: { email, password: 'attacker chosen pass' },
    });
    expect(signup.status).toBe(201);
    account(email, true);
    const { location } = await signInThroughProvider();
    expect(location?.searchParams.get('code')).toBeNull();
    expect(location?.searchParams.get('error')).toBe('auth/identity-conflict');
    const { rows } = await app().hearth.pool.query(
      'SELECT i.* FROM hearth.identities i JOIN hearth.users u ON u.id = i.user_id WHERE u.email = $1',
      [email],
    );
    expect(rows).toHaveLength(0);
    const { rows: sessions } = await app().hearth.pool.query(
      'SELECT s.* FROM hearth.sessions s JOIN hearth.users u ON u.id = s.user_id WHERE u.email = $1',
      [email],
    );
    expect(sessions).toHaveLength(0);
  });

  it('an unverified provider email never joins a verified account', async () => {
    const { email } = await signUpVerified(app());
    account(email, false);
    const { location } = await signInThroughProvider();
    expect(location?.searchParams.get('error')).toBe('auth/identity-conflict');
  });

  it('a verified provider email joins the verified account with that address', async () => {
    const { email, user } = await signUpVerified(app());
    account(email, true);
    const signedIn = await exchange((await signInThroughProvider()).location!.searchParams.get('code')!);
    expect(signedIn.body.user.id).toBe(user.id);
  });

  it('a forged or replayed callback fails', async () => {
    account();
    const callback = await idp().followAuthorization(
      `${app().url}/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`,
    );
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged-state');
    const response = await app().request<ErrorBody>('GET', `${forged.pathname}${forged.search}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('auth/oauth-failed');
    const first = await fetch(callback, { redirect: 'manual' });
    expect(new URL(first.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    const replay = await app().request<ErrorBody>('GET', `${callback.pathname}${callback.search}`);
    expect(replay.body.error.code).toBe('auth/oauth-failed');
  });

  it('refuses a redirectTo outside the allowed list', async () => {
    for (const target of [
      'https://evil.example/steal',
      'http://app.example.test.evil.example/',
      'javascript:alert(1)',
      '//evil.example/',
      'http://app.example.test@evil.example/',
    ]) {
      const response = await app().request<ErrorBody>(
        'GET',
        `/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(target)}`,
      );
      expect(response.status, target).toBe(400);
      expect(response.body.error.code, target).toBe('auth/redirect-not-allowed');
    }
  });

  it('an unknown provider is 404 auth/unknown-provider', async () => {
    const response = await app().request<ErrorBody>('GET', '/api/auth/oauth/nope/start');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('auth/unknown-provider');
  });

  it('without redirectTo the callback answers the sign-in as JSON', async () => {
    account();
    const callback = await idp().followAuthorization(`${app().url}/api/auth/oauth/testidp/start`);
    const response = await app().request<{ session: SessionBody }>(
      'GET',
      `${callback.pathname}${callback.search}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.session.tokenType).toBe('Bearer');
  });
});

describe('linking providers', () => {
  it('links a provider to the signed-in account, lists it, and unlinks it', async () => {
    const { session, user } = await signUpVerified(app());
    account(uniqueEmail('other-address'));
    const link = await app().request<{ url: string }>('POST', '/api/auth/oauth/testidp/link', {
      headers: bearer(session.accessToken),
      body: { redirectTo: `${APP_ORIGIN}/settings` },
    });
    expect(link.status).toBe(200);
    const callback = await idp().followAuthorization(link.body.url);
    const done = await fetch(callback, { redirect: 'manual' });
    expect(new URL(done.headers.get('location')!).searchParams.get('linked')).toBe('testidp');

    const identities = await app().request<{ items: Array<{ provider: string }> }>(
      'GET',
      '/api/auth/identities',
      {
        headers: bearer(session.accessToken),
      },
    );
    expect(identities.body.items.map((i) => i.provider)).toEqual(['testidp']);
    // The linked identity now signs in to this account.
    const signedIn = await exchange((await signInThroughProvider()).location!.searchParams.get('code')!);
    expect(signedIn.body.user.id).toBe(user.id);

    const unlink = await app().request('DELETE', '/api/auth/identities/testidp', {
      headers: bearer(session.accessToken),
    });
    expect(unlink.status).toBe(204);
  });

  it('will not unlink the only way to sign in', async () => {
    account();
    const signedIn = await exchange((await signInThroughProvider()).location!.searchParams.get('code')!);
    const response = await app().request<ErrorBody>('DELETE', '/api/auth/identities/testidp', {
      headers: bearer(signedIn.body.session.accessToken),
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('auth/last-sign-in-method');
  });

  it('linking needs recent authentication', async () => {
    const { session } = await signUpVerified(app());
    await app().hearth.pool.query("UPDATE hearth.sessions SET auth_time = now() - interval '1 hour'");
    const response = await app().request<ErrorBody>('POST', '/api/auth/oauth/testidp/link', {
      headers: bearer(session.accessToken),
      body: {},
    });
    expect(response.body.error.code).toBe('auth/recent-auth-required');
  });
});
