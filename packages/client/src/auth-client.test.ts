import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeAuthServer, type FakeAuthServer } from '../test/fake-auth-server.js';
import type { AuthChangeEvent } from './auth-types.js';
import { HearthError } from './hearth-error.js';
import { createClient, type HearthClient } from './hearth-client.js';
import type { HearthClientOptions } from './client-options.js';
import { memoryStorage } from './session-storage.js';

const URL = 'http://hearth.test';

let server: FakeAuthServer;
const clients: HearthClient[] = [];

function client(options: HearthClientOptions = {}) {
  const created = createClient(URL, { fetch: server.fetch, tabSync: false, ...options });
  clients.push(created);
  const events: AuthChangeEvent[] = [];
  created.auth.onAuthStateChange((event) => events.push(event));
  return { hearth: created, auth: created.auth, events };
}

beforeEach(() => {
  server = createFakeAuthServer();
  server.addUser('ada@example.com', 'correct horse battery');
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  vi.useRealTimers();
});

describe('signing in and out', () => {
  it('signs in, keeps the session and user, and emits SIGNED_IN', async () => {
    const { auth, events } = client();
    const result = await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    expect(result.mfa).toBeUndefined();
    expect(result.user?.email).toBe('ada@example.com');
    expect(auth.session()).toEqual(result.session);
    expect(auth.user()).toEqual(result.user);
    expect(events).toEqual(['SIGNED_IN']);
  });

  it("rejects a wrong password with the server's code and stays signed out", async () => {
    const { auth, events } = client();
    const error = await auth.signIn({ email: 'ada@example.com', password: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HearthError);
    expect((error as HearthError).code).toBe('auth/invalid-credentials');
    expect((error as HearthError).status).toBe(401);
    expect(auth.session()).toBeNull();
    expect(events).toEqual([]);
  });

  it('returns an MFA challenge, emits MFA_CHALLENGE, and verifyMfa completes the sign-in', async () => {
    server.addUser('mfa@example.com', 'pw-pw-pw-pw', { mfa: true });
    const { auth, events } = client();
    const challenges: unknown[] = [];
    auth.onAuthStateChange((event, _session, detail) => {
      if (event === 'MFA_CHALLENGE') challenges.push(detail.mfa);
    });
    const result = await auth.signIn({ email: 'mfa@example.com', password: 'pw-pw-pw-pw' });
    expect(result.mfa).toEqual({ ticket: 'ticket-u2', methods: ['totp'] });
    expect(auth.session()).toBeNull();
    expect(challenges).toEqual([result.mfa]);
    const signedIn = await auth.verifyMfa({ ticket: result.mfa!.ticket, code: '123456' });
    expect(auth.user()?.email).toBe('mfa@example.com');
    expect(auth.session()).toEqual(signedIn.session);
    expect(events).toEqual(['MFA_CHALLENGE', 'SIGNED_IN']);
  });

  it('signs up and in when the server returns a session', async () => {
    const { auth, events } = client();
    const { user, session } = await auth.signUp({
      email: 'new@example.com',
      password: 'long enough pw',
      data: { a: 1 },
    });
    expect(server.callsTo('/signup')[0]?.body).toEqual({
      email: 'new@example.com',
      password: 'long enough pw',
      data: { a: 1 },
    });
    expect(user.email).toBe('new@example.com');
    expect(auth.session()).toEqual(session);
    expect(events).toEqual(['SIGNED_IN']);
  });

  it('signs in anonymously', async () => {
    const { auth } = client();
    const { user } = await auth.signInAnonymously();
    expect(user.email).toBeNull();
    expect(auth.session()).not.toBeNull();
  });

  it('signs out of the current session on the server, forgets it, and emits SIGNED_OUT', async () => {
    const storage = memoryStorage();
    const { auth, events } = client({ storage, storageKey: 'k' });
    const { session } = await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await auth.signOut();
    expect(server.callsTo('/logout')[0]).toMatchObject({
      body: { refreshToken: session!.refreshToken },
      authorization: `Bearer ${session!.accessToken}`,
    });
    expect(auth.session()).toBeNull();
    expect(await storage.getItem('k')).toBeNull();
    expect(events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
  });

  it("signOut({scope:'global'}) calls logout-all", async () => {
    const { auth } = client();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await auth.signOut({ scope: 'global' });
    expect(server.callsTo('/logout-all')).toHaveLength(1);
    expect(server.callsTo('/logout')).toHaveLength(0);
  });

  it('forgets the session even when the server cannot be reached', async () => {
    let offline = false;
    const { auth, events } = client({
      fetch: (url, init) =>
        offline ? Promise.reject(new TypeError('fetch failed')) : server.fetch(url, init),
    });
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    offline = true;
    await expect(auth.signOut()).resolves.toBeUndefined();
    expect(auth.session()).toBeNull();
    expect(events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
  });

  it("signOut({scope:'local'}) forgets the session without calling the server", async () => {
    const { auth } = client();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await auth.signOut({ scope: 'local' });
    expect(server.callsTo('/logout')).toHaveLength(0);
    expect(auth.session()).toBeNull();
  });

  it('USER_UPDATED after updateUser, and listeners can unsubscribe', async () => {
    const { auth, events } = client();
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    const late: AuthChangeEvent[] = [];
    const unsubscribe = auth.onAuthStateChange((event) => late.push(event));
    const { user, emailChangePending } = await auth.updateUser({ metadata: { name: 'Ada' } });
    expect(user.metadata).toEqual({ name: 'Ada' });
    expect(emailChangePending).toBe(false);
    expect(auth.user()?.metadata).toEqual({ name: 'Ada' });
    unsubscribe();
    await auth.signOut();
    expect(events).toEqual(['SIGNED_IN', 'USER_UPDATED', 'SIGNED_OUT']);
    expect(late).toEqual(['USER_UPDATED']);
  });

  it('a throwing listener does not break sign-in or the other listeners', async () => {
    const { auth, events } = client();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    auth.onAuthStateChange(() => {
      throw new Error('app bug');
    });
    await auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    expect(events).toEqual(['SIGNED_IN']);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });
});

describe('OAuth redirect flow', () => {
  it('builds the start URL with the redirect target (and does not navigate outside a browser)', async () => {
    const { auth } = client();
    const { url } = await auth.signInWithOAuth({ provider: 'github', redirectTo: 'https://app.example/cb' });
    expect(url).toBe(
      'http://hearth.test/api/auth/oauth/github/start?redirectTo=https%3A%2F%2Fapp.example%2Fcb',
    );
  });

  it('completes the sign-in from the callback URL by exchanging the one-time code', async () => {
    const { auth, events } = client();
    const result = await auth.completeOAuthSignIn('https://app.example/cb?code=good-code');
    expect(server.callsTo('/oauth/exchange')[0]?.body).toEqual({ code: 'good-code' });
    expect(result?.user?.email).toBe('o@example.com');
    expect(events).toEqual(['SIGNED_IN']);
  });

  it('turns an error in the callback URL into a HearthError, and a URL with neither into null', async () => {
    const { auth } = client();
    const error = await auth
      .completeOAuthSignIn('https://app.example/cb?error=auth/oauth-denied&error_description=Denied')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth/oauth-denied', message: 'Denied' });
    await expect(auth.completeOAuthSignIn('https://app.example/cb')).resolves.toBeNull();
  });
});

describe('session storage', () => {
  it('restores a stored session on start (getSession waits for an async store)', async () => {
    const backing = memoryStorage();
    const asyncStore = {
      getItem: async (k: string) => backing.getItem(k),
      setItem: async (k: string, v: string) => backing.setItem(k, v),
      removeItem: async (k: string) => backing.removeItem(k),
    };
    const first = client({ storage: asyncStore });
    const { session } = await first.auth.signIn({
      email: 'ada@example.com',
      password: 'correct horse battery',
    });
    const second = client({ storage: asyncStore });
    expect(second.auth.session()).toBeNull(); // not loaded yet: storage is async
    expect(await second.auth.getSession()).toEqual(session);
    expect(second.auth.user()?.email).toBe('ada@example.com');
    expect((await second.auth.getUser())?.email).toBe('ada@example.com');
  });

  it('reads a corrupt stored value as signed out', async () => {
    const storage = memoryStorage();
    await storage.setItem('k', '{not json');
    const { auth } = client({ storage, storageKey: 'k' });
    expect(await auth.getSession()).toBeNull();
  });
});

describe('automatic refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
  });

  async function signedIn(options: HearthClientOptions = {}) {
    const c = client(options);
    await c.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    return c;
  }

  it('refreshes refreshMarginSeconds before expiry on a timer, and again after that', async () => {
    const { auth, events } = await signedIn({ refreshMarginSeconds: 60 });
    const first = auth.session()!;
    await vi.advanceTimersByTimeAsync(839_000);
    expect(server.callsTo('/refresh')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.callsTo('/refresh')).toHaveLength(1);
    expect(server.callsTo('/refresh')[0]?.body).toEqual({ refreshToken: first.refreshToken });
    expect(auth.session()?.refreshToken).not.toBe(first.refreshToken);
    expect(events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED']);
    await vi.advanceTimersByTimeAsync(840_000);
    expect(server.callsTo('/refresh')).toHaveLength(2);
  });

  it('refreshes a short-lived token at half its lifetime rather than immediately', async () => {
    server = createFakeAuthServer({ accessTokenTtlSeconds: 30 });
    server.addUser('ada@example.com', 'correct horse battery');
    await signedIn({ refreshMarginSeconds: 60 });
    await vi.advanceTimersByTimeAsync(14_000);
    expect(server.callsTo('/refresh')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(server.callsTo('/refresh')).toHaveLength(1);
  });

  it('with autoRefresh off, refreshes on demand before a request whose token is about to expire', async () => {
    const { auth } = await signedIn({ autoRefresh: false });
    await vi.advanceTimersByTimeAsync(899_000);
    expect(server.callsTo('/refresh')).toHaveLength(0);
    await auth.getUser();
    expect(server.callsTo('/refresh')).toHaveLength(1);
    const me = server.callsTo('/me')[0]!;
    expect(me.authorization).toBe(`Bearer ${auth.session()!.accessToken}`);
  });

  it('10 concurrent requests with an expiring token share ONE refresh', async () => {
    const { auth } = await signedIn({ autoRefresh: false });
    await vi.advanceTimersByTimeAsync(880_000);
    const release = server.holdRefresh();
    const users = Array.from({ length: 10 }, () => auth.getUser());
    const sessions = Array.from({ length: 10 }, () => auth.refreshSession());
    await vi.advanceTimersByTimeAsync(10);
    release();
    const results = await Promise.all(users);
    expect(results.every((u) => u?.email === 'ada@example.com')).toBe(true);
    expect(new Set((await Promise.all(sessions)).map((s) => s?.accessToken)).size).toBe(1);
    expect(server.callsTo('/refresh')).toHaveLength(1);
    const tokens = new Set(server.callsTo('/me').map((c) => c.authorization));
    expect(tokens).toEqual(new Set([`Bearer ${auth.session()!.accessToken}`]));
  });

  it('a sign-out while a refresh is in flight wins: the refreshed session is dropped and ended on the server', async () => {
    const { auth, events } = await signedIn({ autoRefresh: false });
    const release = server.holdRefresh();
    const refreshing = auth.refreshSession();
    await vi.advanceTimersByTimeAsync(10);
    await auth.signOut({ scope: 'local' });
    release();
    await expect(refreshing).resolves.toBeNull();
    expect(auth.session()).toBeNull();
    expect(events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
    await vi.advanceTimersByTimeAsync(10);
    expect(server.callsTo('/logout')).toHaveLength(1);
  });

  it('a refresh rejected as reused signs the user out (SIGNED_OUT) and clears storage', async () => {
    const storage = memoryStorage();
    const { auth, events } = await signedIn({ storage, storageKey: 'k' });
    server.failRefresh({ status: 401, code: 'auth/refresh-token-reused' });
    const error = await auth.refreshSession().catch((e: unknown) => e);
    expect((error as HearthError).code).toBe('auth/refresh-token-reused');
    expect(auth.session()).toBeNull();
    expect(await storage.getItem('k')).toBeNull();
    expect(events).toEqual(['SIGNED_IN', 'SIGNED_OUT']);
  });

  it('a network failure during refresh keeps the session and retries with backoff', async () => {
    const { auth, events } = await signedIn();
    const before = auth.session()!;
    server.failRefresh('network');
    await vi.advanceTimersByTimeAsync(840_000);
    expect(server.callsTo('/refresh')).toHaveLength(1);
    expect(auth.session()).toEqual(before);
    // Backoff: ~1 s, ~2 s, ~4 s (±20 %).
    await vi.advanceTimersByTimeAsync(1_200);
    expect(server.callsTo('/refresh')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2_400);
    expect(server.callsTo('/refresh')).toHaveLength(3);
    expect(auth.session()).toEqual(before);
    expect(events).toEqual(['SIGNED_IN']);
    server.failRefresh(undefined);
    await vi.advanceTimersByTimeAsync(4_800);
    expect(server.callsTo('/refresh')).toHaveLength(4);
    expect(auth.session()?.refreshToken).not.toBe(before.refreshToken);
    expect(events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED']);
  });

  it('while the server is unreachable, requests still use a token that has not expired', async () => {
    const { auth } = await signedIn({ autoRefresh: false });
    await vi.advanceTimersByTimeAsync(870_000);
    server.failRefresh('network');
    await expect(auth.getSession()).resolves.toEqual(auth.session());
    const user = await auth.getUser();
    expect(user?.email).toBe('ada@example.com');
  });

  it('a 401 on a request refreshes once and retries with the new token', async () => {
    const { auth } = await signedIn({ autoRefresh: false });
    const stale = auth.session()!.accessToken;
    server.forgetAccessToken(stale);
    const user = await auth.getUser();
    expect(user?.email).toBe('ada@example.com');
    expect(server.callsTo('/refresh')).toHaveLength(1);
    expect(server.callsTo('/me').map((c) => c.authorization)).toEqual([
      `Bearer ${stale}`,
      `Bearer ${auth.session()!.accessToken}`,
    ]);
  });

  it('stopAutoRefresh stops the timer; startAutoRefresh resumes it', async () => {
    const { auth } = await signedIn();
    auth.stopAutoRefresh();
    await vi.advanceTimersByTimeAsync(850_000);
    expect(server.callsTo('/refresh')).toHaveLength(0);
    auth.startAutoRefresh();
    await vi.advanceTimersByTimeAsync(1);
    expect(server.callsTo('/refresh')).toHaveLength(1);
  });
});
