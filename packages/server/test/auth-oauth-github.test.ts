import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useComponent, useGitHubStandIn, type GitHubEmail, type GitHubFault } from '@hearth/testkit';
import {
  bearer,
  signUpVerified,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

// The GitHub preset against a local GitHub Enterprise Server stand-in: the
// provider named "github" takes its preset from the name and its endpoints
// from baseUrl; "ghe-bad" is the same server with a wrong client secret.
const APP_ORIGIN = 'http://app.example.test';
const DONE = `${APP_ORIGIN}/done`;
const github = useGitHubStandIn();
const app = useComponent(async () => {
  const server = github();
  const started = await startAuthApp({
    HEARTH_OAUTH_PROVIDERS: JSON.stringify({
      github: { baseUrl: server.baseUrl, clientId: server.clientId, clientSecret: server.clientSecret },
      'ghe-bad': {
        preset: 'github',
        baseUrl: `${server.baseUrl}/`,
        clientId: server.clientId,
        clientSecret: 'not-the-secret',
      },
    }),
    HEARTH_AUTH_REDIRECT_URLS: `${APP_ORIGIN}/`,
  });
  server.setRedirectUris([
    `${started.url}/api/auth/oauth/github/callback`,
    `${started.url}/api/auth/oauth/ghe-bad/callback`,
  ]);
  return started;
});

/** A fresh GitHub user (its own numeric id) that the next sign-ins complete as. */
function gitHubUser(emails: GitHubEmail[] = [{ email: uniqueEmail('gh'), primary: true, verified: true }]) {
  const id = randomInt(1_000_000, 2 ** 40);
  github().setAccount({ id, login: `octo-${id}`, emails });
  return { id, emails };
}

const startPath = (provider = 'github', redirectTo: string | undefined = DONE) =>
  `/api/auth/oauth/${provider}/start${redirectTo ? `?redirectTo=${encodeURIComponent(redirectTo)}` : ''}`;

/** start → GitHub → callback; returns where Hearth then sends the browser. */
async function signIn(provider = 'github') {
  const callback = await github().followAuthorization(`${app().url}${startPath(provider)}`);
  const response = await fetch(callback, { redirect: 'manual' });
  await response.body?.cancel();
  expect(response.status).toBe(302);
  return { callback, location: new URL(response.headers.get('location')!) };
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

async function signedInUser() {
  const { location } = await signIn();
  expect(location.searchParams.get('error')).toBeNull();
  const response = await exchange(location.searchParams.get('code'));
  expect(response.status).toBe(200);
  return response.body;
}

async function identityRows(subject: number) {
  const { rows } = await app().hearth.pool.query<{ user_id: string; email: string | null }>(
    "SELECT user_id, email FROM hearth.identities WHERE provider = 'github' AND subject = $1",
    [String(subject)],
  );
  return rows;
}

describe('GitHub sign-in (GitHub Enterprise Server at baseUrl)', () => {
  it('sends the browser to <baseUrl>/login/oauth/authorize with PKCE and no OpenID nonce', async () => {
    const providers = await app().request<{ items: Array<{ name: string; displayName: string }> }>(
      'GET',
      '/api/auth/providers',
    );
    expect(providers.body.items).toContainEqual({ name: 'github', displayName: 'GitHub' });
    const start = await app().fetch(startPath(), { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${github().baseUrl}/login/oauth/authorize`);
    expect(authorize.searchParams.get('client_id')).toBe(github().clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${app().url}/api/auth/oauth/github/callback`);
    expect(authorize.searchParams.get('scope')).toBe('read:user user:email');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.has('nonce')).toBe(false);
  });

  it('creates a user with the primary verified address', async () => {
    const primary = uniqueEmail('primary');
    const { id } = gitHubUser([
      { email: uniqueEmail('secondary'), primary: false, verified: true },
      { email: primary.toUpperCase(), primary: true, verified: true },
      { email: uniqueEmail('unverified'), primary: false, verified: false },
    ]);
    const { user, session } = await signedInUser();
    expect(user).toMatchObject({ email: primary, emailVerified: true });
    expect(await identityRows(id)).toEqual([{ user_id: user.id, email: primary }]);
    const me = await app().request<{ user: UserBody }>('GET', '/api/auth/me', {
      headers: bearer(session.accessToken),
    });
    expect(me.body.user.id).toBe(user.id);
  });

  it('the same GitHub id signs in to the same user, even after its addresses change', async () => {
    const { id } = gitHubUser();
    const first = await signedInUser();
    const changed = uniqueEmail('changed');
    github().setAccount({
      id,
      login: 'renamed',
      emails: [{ email: changed, primary: true, verified: true }],
    });
    const second = await signedInUser();
    expect(second.user.id).toBe(first.user.id);
    expect((await identityRows(id))[0]?.email).toBe(changed);
  });

  it('with only unverified addresses: a user without a verified email', async () => {
    const email = uniqueEmail('unverified');
    gitHubUser([
      { email: uniqueEmail('other'), primary: false, verified: false },
      { email, primary: true, verified: false },
    ]);
    const { user } = await signedInUser();
    expect(user).toMatchObject({ email, emailVerified: false });
  });

  it('an unverified GitHub address never joins the verified account that has it', async () => {
    const { email, user } = await signUpVerified(app());
    const { id } = gitHubUser([{ email, primary: true, verified: false }]);
    const { location } = await signIn();
    expect(location.origin).toBe(APP_ORIGIN);
    expect(location.searchParams.get('error')).toBe('auth/identity-conflict');
    expect(location.searchParams.get('code')).toBeNull();
    expect(await identityRows(id)).toEqual([]);
    const { rows } = await app().hearth.pool.query('SELECT 1 FROM hearth.sessions WHERE user_id = $1', [
      user.id,
    ]);
    expect(rows).toHaveLength(1); // only the password login of signUpVerified
  });

  it('a verified GitHub address never lands on a pre-registered unverified account', async () => {
    const email = uniqueEmail('victim');
    expect(
      (await app().request('POST', '/api/auth/signup', { body: { email, password: 'attacker pass 123' } }))
        .status,
    ).toBe(201);
    const { id } = gitHubUser([{ email, primary: true, verified: true }]);
    const { location } = await signIn();
    expect(location.searchParams.get('error')).toBe('auth/identity-conflict');
    expect(await identityRows(id)).toEqual([]);
  });

  it('a verified GitHub address joins the verified account that has it', async () => {
    const { email, user } = await signUpVerified(app());
    gitHubUser([{ email, primary: true, verified: true }]);
    expect((await signedInUser()).user.id).toBe(user.id);
  });

  it('a GitHub account with no address at all still signs in, without an email', async () => {
    gitHubUser([]);
    const { user } = await signedInUser();
    expect(user).toMatchObject({ email: null, emailVerified: false });
  });
});

describe('GitHub answers that do not check out', () => {
  const json = (status: number, body: unknown): GitHubFault => ({
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const cases: Array<{ name: string; path: '/user' | '/user/emails'; fault: GitHubFault }> = [
    { name: '/user 401', path: '/user', fault: json(401, { message: 'Bad credentials' }) },
    {
      name: '/user 401 with a WWW-Authenticate challenge',
      path: '/user',
      fault: {
        ...json(401, { message: 'Bad credentials' }),
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      },
    },
    { name: '/user 500', path: '/user', fault: { status: 500, body: 'Internal Server Error' } },
    {
      name: '/user 302 to a login page',
      path: '/user',
      fault: { status: 302, body: '', headers: { location: '/login' } },
    },
    {
      name: '/user garbage',
      path: '/user',
      fault: { status: 200, body: '<html>Unicorn!</html>', headers: { 'content-type': 'application/json' } },
    },
    { name: '/user without an id', path: '/user', fault: json(200, { login: 'octo' }) },
    { name: '/user with a string id', path: '/user', fault: json(200, { id: '1001' }) },
    { name: '/user with a negative id', path: '/user', fault: json(200, { id: -5 }) },
    { name: '/user as null', path: '/user', fault: json(200, null) },
    {
      name: '/user/emails 403',
      path: '/user/emails',
      fault: json(403, { message: 'Resource not accessible by integration' }),
    },
    { name: '/user/emails 500', path: '/user/emails', fault: { status: 500, body: '' } },
    { name: '/user/emails not a list', path: '/user/emails', fault: json(200, { email: 'a@b.test' }) },
    {
      name: '/user/emails truncated JSON',
      path: '/user/emails',
      fault: { status: 200, body: '[{"email":', headers: { 'content-type': 'application/json' } },
    },
    {
      name: '/user/emails with a verified entry that is not an address',
      path: '/user/emails',
      fault: json(200, [{ email: 'not an address', primary: true, verified: true }]),
    },
    {
      name: '/user/emails with __proto__ entries',
      path: '/user/emails',
      fault: {
        status: 200,
        body: '[{"__proto__":{"verified":true},"email":"x@y.test","primary":true}]',
        headers: { 'content-type': 'application/json' },
      },
    },
  ];

  for (const { name, path, fault } of cases) {
    it(`${name} → auth/oauth-failed back at the app, never a 500`, async () => {
      const { id } = gitHubUser();
      github().setFault(path, fault);
      try {
        const { location } = await signIn();
        expect(location.origin).toBe(APP_ORIGIN);
        expect(location.searchParams.get('error')).toBe('auth/oauth-failed');
        expect(location.searchParams.get('code')).toBeNull();

        // Without redirectTo the callback answers 400 itself.
        const callback = await github().followAuthorization(`${app().url}${startPath('github', '')}`);
        const direct = await app().request<ErrorBody>('GET', `${callback.pathname}${callback.search}`);
        expect(direct.status).toBe(400);
        expect(direct.body.error.code).toBe('auth/oauth-failed');
        expect(await identityRows(id)).toEqual([]);
      } finally {
        github().setFault(path, undefined);
      }
    });
  }

  it('a wrong client secret (GitHub says so with a 200) → auth/oauth-failed', async () => {
    gitHubUser();
    const before = github().tokenRequests.length;
    const { location } = await signIn('ghe-bad');
    expect(location.searchParams.get('error')).toBe('auth/oauth-failed');
    expect(github().tokenRequests.slice(before)).toEqual(['incorrect_client_credentials']);
  });

  it('a code GitHub does not know → auth/oauth-failed', async () => {
    gitHubUser();
    const callback = await github().followAuthorization(`${app().url}${startPath()}`);
    callback.searchParams.set('code', 'f00dfeedf00dfeedf00d');
    const response = await fetch(callback, { redirect: 'manual' });
    expect(new URL(response.headers.get('location')!).searchParams.get('error')).toBe('auth/oauth-failed');
    expect(github().tokenRequests.at(-1)).toBe('bad_verification_code');
  });

  it('the user cancelling at GitHub (error=access_denied) → auth/oauth-failed', async () => {
    const start = await app().fetch(startPath(), { redirect: 'manual' });
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const response = await app().fetch(
      `/api/auth/oauth/github/callback?error=access_denied&error_description=${'x'.repeat(5000)}&state=${state}`,
      { redirect: 'manual' },
    );
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('auth/oauth-failed');
    expect(location.searchParams.get('error_description')!.length).toBeLessThan(200);
  });

  it('a replayed callback fails and never reaches GitHub a second time', async () => {
    gitHubUser();
    const { callback, location } = await signIn();
    expect(location.searchParams.get('code')).toBeTruthy();
    const tokenRequests = github().tokenRequests.length;
    const replay = await app().request<ErrorBody>('GET', `${callback.pathname}${callback.search}`);
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('auth/oauth-failed');
    expect(github().tokenRequests.length).toBe(tokenRequests);
  });

  it('a callback with a forged state fails before the code is spent', async () => {
    gitHubUser();
    const callback = await github().followAuthorization(`${app().url}${startPath()}`);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    const response = await app().request<ErrorBody>('GET', `${forged.pathname}${forged.search}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('auth/oauth-failed');
    // The genuine callback still works: the forged one spent nothing.
    const genuine = await fetch(callback, { redirect: 'manual' });
    expect(new URL(genuine.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });
});

describe('linking GitHub', () => {
  async function link(accessToken: string) {
    const response = await app().request<{ url: string }>('POST', '/api/auth/oauth/github/link', {
      headers: bearer(accessToken),
      body: { redirectTo: `${APP_ORIGIN}/settings` },
    });
    expect(response.status).toBe(200);
    const callback = await github().followAuthorization(response.body.url);
    const done = await fetch(callback, { redirect: 'manual' });
    return new URL(done.headers.get('location')!);
  }

  it('links GitHub to a password account, signs in through it, and unlinks it', async () => {
    const { session, user } = await signUpVerified(app());
    const { id } = gitHubUser([{ email: uniqueEmail('elsewhere'), primary: true, verified: true }]);
    expect((await link(session.accessToken)).searchParams.get('linked')).toBe('github');
    const identities = await app().request<{ items: Array<{ provider: string }> }>(
      'GET',
      '/api/auth/identities',
      {
        headers: bearer(session.accessToken),
      },
    );
    expect(identities.body.items.map((item) => item.provider)).toEqual(['github']);
    expect((await signedInUser()).user.id).toBe(user.id);

    const unlink = await app().request('DELETE', '/api/auth/identities/github', {
      headers: bearer(session.accessToken),
    });
    expect(unlink.status).toBe(204);
    expect(await identityRows(id)).toEqual([]);
    // Unlinked, the same GitHub account is a stranger again: a new user.
    expect((await signedInUser()).user.id).not.toBe(user.id);
  });

  it('will not link a GitHub account that belongs to another user', async () => {
    gitHubUser();
    const owner = await signedInUser();
    const { session } = await signUpVerified(app());
    expect((await link(session.accessToken)).searchParams.get('error')).toBe('auth/identity-conflict');
    expect((await signedInUser()).user.id).toBe(owner.user.id);
  });

  it('will not unlink GitHub when it is the only way to sign in', async () => {
    gitHubUser();
    const { session } = await signedInUser();
    const response = await app().request<ErrorBody>('DELETE', '/api/auth/identities/github', {
      headers: bearer(session.accessToken),
    });
    expect(response.status).toBe(409);
    expect(response.body.error.code).toBe('auth/last-sign-in-method');
  });
});
