import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '@hearth/testkit';
import {
  createClient,
  HearthError,
  type AuthChangeEvent,
  type FetchLike,
  type HearthClient,
  type HearthClientOptions,
} from '@hearth/client';
import { totpCode } from './totp.js';

/**
 * The SDK against the real server: the whole app in-process on a fresh
 * database. Access tokens live 30 s (the server's minimum); the automatic
 * refresh is watched on a fake clock.
 */

const PASSWORD = 'correct horse battery staple';
const ACCESS_TOKEN_TTL = 30;

let app: TestApp;
const clients: HearthClient[] = [];

beforeAll(async () => {
  app = await startTestApp({
    HEARTH_AUTH_CONFIRM_EMAIL: 'false',
    HEARTH_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL),
    HEARTH_AUTH_REVOCATION_CACHE_MS: '0',
    HEARTH_RATE_LIMIT_FACTOR: '1000',
  });
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
});

const uniqueEmail = (tag = 'sdk') => `${tag}-${randomBytes(5).toString('hex')}@example.test`;

/** A client whose requests are counted per path (with the time each was sent), and whose auth events are recorded. */
function client(options: HearthClientOptions = {}) {
  const sent: Array<{ path: string; at: number }> = [];
  const countingFetch: FetchLike = (url, init) => {
    sent.push({ path: `${init.method ?? 'GET'} ${new URL(url).pathname}`, at: Date.now() });
    return fetch(url, init);
  };
  const hearth = createClient(app.url, { fetch: countingFetch, ...options });
  clients.push(hearth);
  const events: AuthChangeEvent[] = [];
  hearth.auth.onAuthStateChange((event) => events.push(event));
  return {
    hearth,
    auth: hearth.auth,
    events,
    count: (path: string) => sent.filter((request) => request.path === path).length,
    sentAt: (path: string) => sent.filter((request) => request.path === path).map(({ at }) => at),
  };
}

async function signedUp(options: HearthClientOptions = {}) {
  const c = client(options);
  const email = uniqueEmail();
  const { session } = await c.auth.signUp({ email, password: PASSWORD });
  expect(session).not.toBeNull();
  return { ...c, email };
}

/** The token from the newest mail to `to` in the outbox (no SMTP is configured), waiting for the background send. */
async function mailedToken(to: string): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const { rows } = await app.hearth.pool.query<{ text: string }>(
      'SELECT text FROM hearth.outbox WHERE "to" = $1 ORDER BY created_at DESC LIMIT 1',
      [to],
    );
    const link = /https?:\/\/\S+/.exec(rows[0]?.text ?? '')?.[0];
    const token = link === undefined ? null : new URL(link).searchParams.get('token');
    if (token !== null) return token;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to}`);
}

async function failure(promise: Promise<unknown>): Promise<HearthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HearthError);
  return error as HearthError;
}

describe('@hearth/client against the real server', () => {
  it('signs up, reads `me`, signs out, and signs in again', async () => {
    const { auth, events, email } = await signedUp();
    expect(auth.user()).toMatchObject({ email, anonymous: false, role: 'user' });
    expect(auth.session()?.tokenType).toBe('Bearer');
    expect(auth.session()!.expiresAt).toBeGreaterThan(Date.now() / 1000);

    const me = await auth.getUser();
    expect(me?.id).toBe(auth.user()?.id);

    const refreshToken = auth.session()!.refreshToken;
    await auth.signOut();
    expect(auth.session()).toBeNull();
    // The server ended the session: its refresh token is dead.
    const reuse = await app.request('POST', '/api/auth/refresh', { body: { refreshToken } });
    expect(reuse.status).toBe(401);

    const again = await auth.signIn({ email, password: PASSWORD });
    expect(again.user?.email).toBe(email);
    expect(events).toEqual(['SIGNED_IN', 'SIGNED_OUT', 'SIGNED_IN']);
  });

  it("a wrong password rejects with the server's code", async () => {
    const { auth, email } = await signedUp();
    await auth.signOut();
    const error = await failure(auth.signIn({ email, password: 'not the password' }));
    expect(error.code).toBe('auth/invalid-credentials');
    expect(error.status).toBe(401);
    expect(auth.session()).toBeNull();
  });

  it('an invalid sign-up rejects with validation/failed and its details', async () => {
    const error = await failure(client().auth.signUp({ email: 'not-an-email', password: PASSWORD }));
    expect(error.code).toBe('validation/failed');
    expect(error.status).toBe(400);
    expect(error.details).toBeDefined();
  });

  it('signs in anonymously, then upgrades to an email account keeping the same user', async () => {
    const { auth, events } = client();
    const { user } = await auth.signInAnonymously();
    expect(user).toMatchObject({ anonymous: true, email: null });
    const email = uniqueEmail('upgrade');
    const { user: upgraded, emailChangePending } = await auth.updateUser({ email, password: PASSWORD });
    expect(upgraded.id).toBe(user.id);
    expect(emailChangePending).toBe(true);
    // The new address is confirmed through the link mailed to it.
    await auth.verifyEmail(await mailedToken(email));
    expect(auth.user()).toMatchObject({ id: user.id, email, emailVerified: true, anonymous: false });
    expect(events).toEqual(['SIGNED_IN', 'USER_UPDATED', 'USER_UPDATED']);
    await auth.signOut();
    const signedIn = await auth.signIn({ email, password: PASSWORD });
    expect(signedIn.user?.id).toBe(user.id);
  });

  it('10 concurrent refreshes send ONE request and leave a working session', async () => {
    const { auth, count } = await signedUp();
    const before = auth.session()!;
    const sessions = await Promise.all(Array.from({ length: 10 }, () => auth.refreshSession()));
    expect(count('POST /api/auth/refresh')).toBe(1);
    expect(new Set(sessions.map((s) => s?.accessToken)).size).toBe(1);
    expect(sessions[0]?.refreshToken).not.toBe(before.refreshToken);
    expect((await auth.getUser())?.id).toBe(auth.user()?.id);
  });

  it('a reused refresh token ends the session: the client signs out (SIGNED_OUT)', async () => {
    const { auth, events } = await signedUp();
    const stolen = auth.session()!.refreshToken;
    await auth.refreshSession();
    // An attacker replays the rotated token: the server revokes the whole family.
    const replay = await app.request('POST', '/api/auth/refresh', { body: { refreshToken: stolen } });
    expect(replay.status).toBe(401);
    const error = await failure(auth.refreshSession());
    expect(error.status).toBe(401);
    expect(auth.session()).toBeNull();
    expect(events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
  });

  it('refreshes automatically ahead of expiry, and on demand before a request when the timer is off', async () => {
    // The clock and timers jump instead of the test sleeping through half a token's lifetime;
    // they still tick in real time, so the requests in between run as usual. The server runs
    // in this process and so shares the fake clock.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], shouldAdvanceTime: true });
    try {
      const timed = await signedUp();
      const signedUpAt = Date.now();
      const onDemand = await signedUp({ autoRefresh: false });
      const timedFirst = timed.auth.session()!;
      const onDemandFirst = onDemand.auth.session()!;

      await vi.advanceTimersByTimeAsync((ACCESS_TOKEN_TTL / 2) * 1000 + 500);
      await vi.waitFor(() => expect(timed.events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED']));
      // Due at half the 30 s lifetime (the 60 s default margin is capped there); iat is in whole seconds.
      const [refreshedAt] = timed.sentAt('POST /api/auth/refresh');
      expect(refreshedAt! - signedUpAt).toBeGreaterThanOrEqual((ACCESS_TOKEN_TTL / 2 - 1) * 1000);
      expect(refreshedAt! - signedUpAt).toBeLessThanOrEqual((ACCESS_TOKEN_TTL / 2 + 2) * 1000);
      expect(timed.auth.session()!.accessToken).not.toBe(timedFirst.accessToken);
      expect(timed.auth.session()!.expiresAt).toBeGreaterThan(timedFirst.expiresAt);
      expect(onDemand.count('POST /api/auth/refresh')).toBe(0);
      expect(onDemand.auth.session()).toEqual(onDemandFirst);

      const me = await onDemand.auth.getUser();
      expect(me?.email).toBe(onDemand.email);
      expect(onDemand.count('POST /api/auth/refresh')).toBe(1);
      expect(onDemand.auth.session()!.accessToken).not.toBe(onDemandFirst.accessToken);
    } finally {
      vi.useRealTimers();
    }
  });

  it('MFA: enrol TOTP, then sign-in returns a challenge that verifyMfa completes', async () => {
    const { auth, events, email } = await signedUp();
    const { secret, uri } = await auth.enrollTotp();
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    const { recoveryCodes } = await auth.confirmTotp(totpCode(secret));
    expect(recoveryCodes.length).toBeGreaterThan(0);
    expect(auth.user()?.mfaEnabled).toBe(true);
    await auth.signOut();

    const challenged = await auth.signIn({ email, password: PASSWORD });
    expect(challenged.session).toBeUndefined();
    expect(challenged.mfa?.methods).toContain('totp');
    expect(auth.session()).toBeNull();
    const wrong = await failure(auth.verifyMfa({ ticket: challenged.mfa!.ticket, code: '000000' }));
    expect(wrong.code).toBe('auth/invalid-mfa-code');
    // The code that confirmed enrolment cannot be replayed; a recovery code works once.
    const { user, session } = await auth.verifyMfa({
      ticket: challenged.mfa!.ticket,
      code: recoveryCodes[0]!,
    });
    expect(user.email).toBe(email);
    expect(auth.session()).toEqual(session);
    expect(events).toEqual(['SIGNED_IN', 'USER_UPDATED', 'SIGNED_OUT', 'MFA_CHALLENGE', 'SIGNED_IN']);
  });

  it('lists sessions, marks the current one, and revokes another device', async () => {
    const laptop = await signedUp();
    const phone = client();
    await phone.auth.signIn({ email: laptop.email, password: PASSWORD });
    const sessions = await laptop.auth.listSessions();
    expect(sessions).toHaveLength(2);
    const current = sessions.filter((s) => s.current);
    expect(current).toHaveLength(1);
    const other = sessions.find((s) => !s.current)!;
    await laptop.auth.revokeSession(other.id);
    // The phone's next request fails, its refresh is refused, and it signs out.
    await failure(phone.auth.getUser());
    expect(phone.auth.session()).toBeNull();
    expect(phone.events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
    expect((await laptop.auth.getUser())?.email).toBe(laptop.email);
  });

  it("changing the password keeps this client signed in and signs the user's other devices out", async () => {
    const laptop = await signedUp();
    const phone = client();
    await phone.auth.signIn({ email: laptop.email, password: PASSWORD });
    const before = laptop.auth.session()!;
    await laptop.auth.changePassword({ currentPassword: PASSWORD, password: 'an entirely new passphrase' });
    expect(laptop.auth.session()!.refreshToken).not.toBe(before.refreshToken);
    expect((await laptop.auth.getUser())?.email).toBe(laptop.email);
    await failure(phone.auth.getUser());
    expect(phone.auth.session()).toBeNull();
  });

  it("signOut({scope:'global'}) ends every session of the user", async () => {
    const laptop = await signedUp();
    const phone = client();
    await phone.auth.signIn({ email: laptop.email, password: PASSWORD });
    await laptop.auth.signOut({ scope: 'global' });
    expect(laptop.auth.session()).toBeNull();
    await failure(phone.auth.getUser());
    expect(phone.events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
  });

  it('deleteAccount re-authenticates, deletes the user, signs this client out and the other devices with it', async () => {
    const laptop = await signedUp();
    const phone = client();
    await phone.auth.signIn({ email: laptop.email, password: PASSWORD });
    await app.hearth.pool.query(
      "UPDATE hearth.sessions SET auth_time = now() - interval '1 hour' WHERE user_id = (SELECT id FROM hearth.users WHERE email = $1)",
      [laptop.email],
    );
    expect((await failure(laptop.auth.deleteAccount())).code).toBe('auth/recent-auth-required');
    expect(laptop.auth.session()).not.toBeNull();

    await laptop.auth.deleteAccount({ password: PASSWORD });
    expect(laptop.auth.session()).toBeNull();
    expect(laptop.events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
    await failure(phone.auth.getUser());
    expect((await failure(client().auth.signIn({ email: laptop.email, password: PASSWORD }))).code).toBe(
      'auth/invalid-credentials',
    );
  });

  it('password reset request is accepted whatever the address', async () => {
    await expect(client().auth.requestPasswordReset(uniqueEmail('nobody'))).resolves.toBeUndefined();
  });
});
