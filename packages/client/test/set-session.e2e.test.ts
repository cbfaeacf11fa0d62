import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';
import {
  createClient,
  HearthError,
  memoryStorage,
  type AuthChangeEvent,
  type FetchLike,
  type HearthClient,
  type HearthClientOptions,
  type Session,
} from '@hearth/client';

/**
 * `auth.setSession` and the `redirectTo` options of the mail-sending calls,
 * against the real server (in-process, fresh database, mail to the outbox).
 */

const PASSWORD = 'correct horse battery staple';
const APP = 'https://app.example.com';

let app: TestApp;
const clients: HearthClient[] = [];

beforeAll(async () => {
  app = await startTestApp({
    HEARTH_AUTH_CONFIRM_EMAIL: 'false',
    HEARTH_AUTH_REVOCATION_CACHE_MS: '0',
    HEARTH_RATE_LIMIT_FACTOR: '1000',
    HEARTH_AUTH_REDIRECT_URLS: `${APP}/`,
  });
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
});

const uniqueEmail = (tag = 'handoff') => `${tag}-${randomBytes(5).toString('hex')}@example.test`;

/** A client whose requests are recorded, and whose auth events are recorded. */
function client(options: HearthClientOptions = {}) {
  const requests: string[] = [];
  const recordingFetch: FetchLike = (url, init) => {
    requests.push(`${init.method ?? 'GET'} ${new URL(url).pathname}`);
    return fetch(url, init);
  };
  const hearth = createClient(app.url, { fetch: recordingFetch, tabSync: false, ...options });
  clients.push(hearth);
  const events: AuthChangeEvent[] = [];
  hearth.auth.onAuthStateChange((event) => events.push(event));
  return { hearth, auth: hearth.auth, events, requests };
}

/** A session made without the SDK, as a server-side sign-in would. */
async function serverSideSession(email = uniqueEmail()): Promise<{ email: string; session: Session }> {
  const signup = await app.request<{ session: Session }>('POST', '/api/auth/signup', {
    body: { email, password: PASSWORD },
  });
  expect(signup.status).toBe(201);
  return { email, session: signup.body.session };
}

async function failure(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

/** The newest link mailed to `to` (the outbox; no SMTP is configured), waiting for the background send. */
async function mailedLink(to: string, subject: RegExp): Promise<URL> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { rows } = await app.hearth.pool.query<{ text: string; subject: string }>(
      'SELECT text, subject FROM hearth.outbox WHERE "to" = $1 ORDER BY created_at DESC',
      [to],
    );
    const text = rows.find((row) => subject.test(row.subject))?.text;
    const link = text === undefined ? undefined : /https?:\/\/\S+/.exec(text)?.[0];
    if (link !== undefined) return new URL(link);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

describe('auth.setSession', () => {
  it('adopts a session made elsewhere: checks it with /me, stores it, fires SIGNED_IN, and keeps it working', async () => {
    const { email, session } = await serverSideSession();
    const storage = memoryStorage();
    const c = client({ storage });
    const result = await c.auth.setSession({
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      expiresAt: session.expiresAt,
    });
    expect(result.user.email).toBe(email);
    expect(result.session.accessToken).toBe(session.accessToken);
    expect(c.auth.user()?.email).toBe(email);
    expect(c.events).toEqual(['SIGNED_IN']);
    // Checked with exactly its access token, and the refresh token was not spent.
    expect(c.requests).toEqual(['GET /api/auth/me']);

    // Stored: a new client on the same storage starts signed in.
    const later = client({ storage });
    expect((await later.auth.getSession())?.refreshToken).toBe(session.refreshToken);
    later.hearth.close();

    // And it is a real session to this client: it refreshes and calls the API.
    const refreshed = await c.auth.refreshSession();
    expect(refreshed?.refreshToken).not.toBe(session.refreshToken);
    expect((await c.auth.getUser())?.email).toBe(email);
  });

  it('reads the expiry from the access token when expiresAt is left out', async () => {
    const { session } = await serverSideSession();
    const c = client();
    const result = await c.auth.setSession({
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
    });
    expect(result.session.expiresAt).toBe(session.expiresAt);
  });

  it('an expired session is redeemed with its refresh token first', async () => {
    const { email, session } = await serverSideSession();
    const c = client();
    const result = await c.auth.setSession({
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
      expiresAt: Math.floor(Date.now() / 1000) - 60,
    });
    expect(result.user.email).toBe(email);
    expect(result.session.refreshToken).not.toBe(session.refreshToken);
    expect(c.requests).toEqual(['POST /api/auth/refresh', 'GET /api/auth/me']);
    expect(c.events).toEqual(['SIGNED_IN']);
    // The handed-over refresh token is spent.
    const reuse = await app.request('POST', '/api/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(reuse.status).toBe(401);
  });

  it('replaces the session of another user', async () => {
    const c = client();
    await c.auth.signUp({ email: uniqueEmail('first'), password: PASSWORD });
    const { email, session } = await serverSideSession(uniqueEmail('second'));
    await c.auth.setSession(session);
    expect(c.auth.user()?.email).toBe(email);
    expect(c.events).toEqual(['SIGNED_IN', 'SIGNED_IN']);
  });

  it('refuses a revoked session with auth/session-revoked and keeps the current one', async () => {
    const c = client();
    const { session: mine } = await c.auth.signUp({ email: uniqueEmail('keep'), password: PASSWORD });
    const { session } = await serverSideSession();
    const logout = await app.request('POST', '/api/auth/logout', {
      body: { refreshToken: session.refreshToken },
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    expect(logout.status).toBe(204);
    const error = await failure(c.auth.setSession(session));
    expect(error.code).toBe('auth/session-revoked');
    expect(error.status).toBe(401);
    expect(c.auth.session()?.refreshToken).toBe(mine?.refreshToken);
    expect(c.events).toEqual(['SIGNED_IN']);
  });

  it('refuses a forged access token with auth/invalid-token', async () => {
    const { session } = await serverSideSession();
    const [header, payload] = session.accessToken.split('.');
    const forged = `${header}.${payload}.${'A'.repeat(43)}`;
    const c = client();
    const error = await failure(c.auth.setSession({ ...session, accessToken: forged }));
    expect(error.code).toBe('auth/invalid-token');
    expect(c.auth.session()).toBeNull();
    expect(c.events).toEqual([]);
  });

  it('refuses an expired session whose refresh token is unknown, and signs nobody in', async () => {
    const { session } = await serverSideSession();
    const c = client();
    const error = await failure(
      c.auth.setSession({ ...session, refreshToken: 'not-a-refresh-token', expiresAt: 1 }),
    );
    expect(error.status).toBe(401);
    expect(error.code).toMatch(/^auth\//);
    expect(c.auth.session()).toBeNull();
    expect(c.events).toEqual([]);
  });

  it.each([
    ['no tokens at all', {}],
    ['an empty access token', { accessToken: '', refreshToken: 'r' }],
    ['a missing refresh token', { accessToken: 'a.b.c' }],
    ['a number for a token', { accessToken: 42, refreshToken: 'r', expiresAt: 2e9 }],
    ['an expiry that is not a number', { accessToken: 'a', refreshToken: 'r', expiresAt: '2030' }],
    ['an expiry that is NaN', { accessToken: 'a', refreshToken: 'r', expiresAt: Number.NaN }],
    ['no expiry and a token without exp', { accessToken: 'opaque', refreshToken: 'r' }],
  ])('rejects %s with client/invalid-session, without a request', async (_name, params) => {
    const c = client();
    const error = await failure(c.auth.setSession(params as never));
    expect(error.code).toBe('client/invalid-session');
    expect(error.status).toBe(0);
    expect(c.requests).toEqual([]);
    expect(c.events).toEqual([]);
  });
});

describe('redirectTo on the calls that mail a link', () => {
  it('requestPasswordReset({redirectTo}): the mail links to the app page, and its token resets the password', async () => {
    const c = client();
    const email = uniqueEmail('reset');
    await c.auth.signUp({ email, password: PASSWORD });
    await c.auth.signOut();
    await c.auth.requestPasswordReset(email, { redirectTo: `${APP}/reset?from=mail` });
    const link = await mailedLink(email, /reset your password/i);
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/reset`);
    expect(link.searchParams.get('from')).toBe('mail');
    expect(link.searchParams.get('type')).toBe('reset-password');
    await c.auth.resetPassword({ token: link.searchParams.get('token')!, password: 'the new passphrase' });
    expect((await c.auth.signIn({ email, password: 'the new passphrase' })).user?.email).toBe(email);
  });

  it('signUp({redirectTo}) and resendVerification(…, {redirectTo}): the confirmation links go to the app page', async () => {
    const c = client();
    const email = uniqueEmail('confirm');
    await c.auth.signUp({ email, password: PASSWORD, redirectTo: `${APP}/welcome` });
    const first = await mailedLink(email, /confirm your email/i);
    expect(first.pathname).toBe('/welcome');
    expect(first.searchParams.get('type')).toBe('verify-email');

    await c.auth.resendVerification(undefined, { redirectTo: `${APP}/welcome-again` });
    await expect
      .poll(async () => (await mailedLink(email, /confirm your email/i)).pathname)
      .toBe('/welcome-again');
    const second = await mailedLink(email, /confirm your email/i);
    await c.auth.verifyEmail(second.searchParams.get('token')!);
    expect((await c.auth.getUser())?.emailVerified).toBe(true);
  });

  it('updateUser({email}, {redirectTo}): the link to the new address goes to the app page', async () => {
    const c = client();
    await c.auth.signUp({ email: uniqueEmail('old'), password: PASSWORD });
    const newEmail = uniqueEmail('new');
    const { emailChangePending } = await c.auth.updateUser(
      { email: newEmail },
      { redirectTo: `${APP}/account` },
    );
    expect(emailChangePending).toBe(true);
    const link = await mailedLink(newEmail, /new email address/i);
    expect(link.pathname).toBe('/account');
    expect(link.searchParams.get('type')).toBe('change-email');
    await c.auth.verifyEmail(link.searchParams.get('token')!);
    expect((await c.auth.getUser())?.email).toBe(newEmail);
  });

  it('a redirectTo outside the allowlist rejects with auth/redirect-not-allowed', async () => {
    const c = client();
    const email = uniqueEmail('evil');
    for (const call of [
      () => c.auth.requestPasswordReset(email, { redirectTo: 'https://evil.example/reset' }),
      () => c.auth.resendVerification(email, { redirectTo: '//evil.example/' }),
      () => c.auth.signUp({ email, password: PASSWORD, redirectTo: `${APP}.evil.example/` }),
    ]) {
      const error = await failure(call());
      expect(error.code).toBe('auth/redirect-not-allowed');
      expect(error.status).toBe(400);
    }
    expect(c.auth.session()).toBeNull();
  });
});
