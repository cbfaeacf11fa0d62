import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeAuthServer, type FakeAuthServer } from '../test/fake-auth-server.js';
import { createClient } from './hearth-client.js';
import type { SessionStorage } from './session-storage.js';

/**
 * React Native has fetch and timers but no window, localStorage or
 * BroadcastChannel, an incomplete URL/URLSearchParams and (on older
 * versions) no AbortSignal.timeout. (No TextDecoder either: see jwt-claims.test.ts,
 * since Node's own Response needs it here.) The SDK must work there
 * with an AsyncStorage-style store.
 */
describe('in a React Native-like runtime', () => {
  let server: FakeAuthServer;

  beforeEach(() => {
    server = createFakeAuthServer();
    server.addUser('ada@example.com', 'correct horse battery');
    const unimplemented = () => {
      throw new Error('not implemented in this runtime');
    };
    vi.stubGlobal('URL', unimplemented);
    vi.stubGlobal('URLSearchParams', unimplemented);
    vi.stubGlobal('BroadcastChannel', undefined);
    vi.stubGlobal('AbortSignal', function AbortSignal() {});
  });

  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('signs in, persists to an async store, refreshes, completes OAuth from a deep link, and signs out', async () => {
    const items = new Map<string, string>();
    const asyncStorage: SessionStorage = {
      getItem: async (key) => items.get(key) ?? null,
      setItem: async (key, value) => void items.set(key, value),
      removeItem: async (key) => void items.delete(key),
    };
    const hearth = createClient('https://api.example.com', { fetch: server.fetch, storage: asyncStorage });
    try {
      const { session } = await hearth.auth.signIn({
        email: 'ada@example.com',
        password: 'correct horse battery',
      });
      expect(items.size).toBe(1);
      expect(hearth.auth.session()?.expiresAt).toBe(session?.expiresAt);
      const refreshed = await hearth.auth.refreshSession();
      expect(refreshed?.refreshToken).not.toBe(session?.refreshToken);

      const reopened = createClient('https://api.example.com', {
        fetch: server.fetch,
        storage: asyncStorage,
      });
      expect((await reopened.auth.getSession())?.accessToken).toBe(refreshed?.accessToken);
      reopened.close();

      const oauth = await hearth.auth.completeOAuthSignIn('myapp://auth/callback?code=good-code');
      expect(oauth?.user?.email).toBe('o@example.com');
      await hearth.auth.signOut();
      expect(items.size).toBe(0);
    } finally {
      hearth.close();
    }
  });
});
