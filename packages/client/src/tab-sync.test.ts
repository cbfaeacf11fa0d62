import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeAuthServer, testUser, type FakeAuthServer } from '../test/fake-auth-server.js';
import type { AuthChangeEvent } from './auth-types.js';
import { createClient, type HearthClient } from './hearth-client.js';
import type { HearthClientOptions } from './client-options.js';
import { memoryStorage, type SessionStorage } from './session-storage.js';
import { serializeState } from './session-store.js';

let server: FakeAuthServer;
let channelName: string;
let sharedStorage: SessionStorage;
const clients: HearthClient[] = [];

/** A "tab": its own client, sharing storage (like localStorage) and a BroadcastChannel name with the others. */
function tab(options: HearthClientOptions = {}) {
  const client = createClient('http://hearth.test', {
    fetch: server.fetch,
    storage: sharedStorage,
    tabSync: { channelName },
    ...options,
  });
  clients.push(client);
  const events: AuthChangeEvent[] = [];
  client.auth.onAuthStateChange((event) => events.push(event));
  return { auth: client.auth, events };
}

beforeEach(() => {
  server = createFakeAuthServer();
  server.addUser('ada@example.com', 'correct horse battery');
  channelName = `hearth-test-${Math.random()}`;
  sharedStorage = memoryStorage();
});

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  vi.unstubAllGlobals();
});

describe('tab sync over BroadcastChannel', () => {
  it('a sign-in, a refresh and a sign-out in one tab are seen in the other', async () => {
    const a = tab();
    const b = tab();
    const { session } = await a.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN']));
    expect(b.auth.session()).toEqual(session);
    expect(b.auth.user()?.email).toBe('ada@example.com');

    const refreshed = await a.auth.refreshSession();
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED']));
    expect(b.auth.session()).toEqual(refreshed);

    await a.auth.signOut();
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']));
    expect(b.auth.session()).toBeNull();
    expect(a.events).toEqual(['SIGNED_IN', 'TOKEN_REFRESHED', 'SIGNED_OUT']);
  });

  it('a tab opened later picks the session up from the shared storage', async () => {
    const a = tab();
    const { session } = await a.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    const later = tab();
    expect(await later.auth.getSession()).toEqual(session);
  });

  it('two tabs refreshing the same token at once spend it only once (cross-tab lock)', async () => {
    const a = tab({ autoRefresh: false });
    const b = tab({ autoRefresh: false });
    const { session } = await a.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await vi.waitFor(() => expect(b.auth.session()).toEqual(session));

    const [fromA, fromB] = await Promise.all([a.auth.refreshSession(), b.auth.refreshSession()]);
    expect(server.callsTo('/refresh')).toHaveLength(1);
    expect(fromA).toEqual(fromB);
    expect(fromA?.refreshToken).not.toBe(session!.refreshToken);
    await vi.waitFor(() => expect(b.auth.session()).toEqual(fromA));
    expect(a.events).not.toContain('SIGNED_OUT');
    expect(b.events).not.toContain('SIGNED_OUT');
  });

  it('without tab sync (the Node default) clients sharing nothing stay independent', async () => {
    const a = createClient('http://hearth.test', { fetch: server.fetch });
    const b = createClient('http://hearth.test', { fetch: server.fetch });
    clients.push(a, b);
    await a.auth.signIn({ email: 'ada@example.com', password: 'correct horse battery' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(b.auth.session()).toBeNull();
  });
});

describe('tab sync over storage events (no BroadcastChannel)', () => {
  it("follows another tab's writes to the session key", async () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const fakeWindow = new EventTarget();
    vi.stubGlobal('window', fakeWindow);
    const b = tab({ storageKey: 'session' });
    await b.auth.getSession();
    const state = {
      session: {
        accessToken: 'x.e30.y',
        refreshToken: 'r1',
        expiresAt: Date.now() / 1000 + 900,
        tokenType: 'Bearer' as const,
      },
      user: testUser({ id: 'u1', email: 'ada@example.com' }),
    };
    const storageEvent = (key: string | null, newValue: string | null) =>
      Object.assign(new Event('storage'), { key, newValue });

    fakeWindow.dispatchEvent(storageEvent('unrelated', 'x'));
    fakeWindow.dispatchEvent(storageEvent('session', serializeState(state)));
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN']));
    expect(b.auth.user()).toEqual(state.user);

    const renamed = { ...state, user: { ...state.user, metadata: { name: 'Ada' } } };
    fakeWindow.dispatchEvent(storageEvent('session', serializeState(renamed)));
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN', 'USER_UPDATED']));

    fakeWindow.dispatchEvent(storageEvent('session', null));
    await vi.waitFor(() => expect(b.events).toEqual(['SIGNED_IN', 'USER_UPDATED', 'SIGNED_OUT']));
    expect(b.auth.session()).toBeNull();
  });
});
