import { afterEach, describe, expect, it, vi } from 'vitest';
import { testUser } from '../test/fake-auth-server.js';
import { defaultSessionStorage, localStorageAdapter, memoryStorage } from './session-storage.js';
import { parseStoredState, serializeState, SessionStore } from './session-store.js';

class FakeWebStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const state = {
  session: { accessToken: 'a', refreshToken: 'r', expiresAt: 123, tokenType: 'Bearer' as const },
  user: testUser({ id: 'u1', email: 'a@example.com' }),
};

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('session storage adapters', () => {
  it('memory storage keeps values per instance', async () => {
    const a = memoryStorage();
    const b = memoryStorage();
    await a.setItem('k', 'v');
    expect(await a.getItem('k')).toBe('v');
    expect(await b.getItem('k')).toBeNull();
    await a.removeItem('k');
    expect(await a.getItem('k')).toBeNull();
  });

  it('uses localStorage in a browser page and memory elsewhere', () => {
    expect(defaultSessionStorage().persistent).toBe(false);
    const local = new FakeWebStorage();
    vi.stubGlobal('window', {});
    vi.stubGlobal('document', {});
    vi.stubGlobal('localStorage', local);
    const { storage, persistent } = defaultSessionStorage();
    expect(persistent).toBe(true);
    void storage.setItem('k', 'v');
    expect(local.items.get('k')).toBe('v');
  });

  it('treats a localStorage that throws (private mode, opaque origin) as absent', () => {
    vi.stubGlobal('localStorage', {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {},
    });
    expect(localStorageAdapter()).toBeUndefined();
  });

  it('SessionStore round-trips the state through an async store', async () => {
    const backing = new FakeWebStorage();
    const store = new SessionStore(
      {
        getItem: async (k) => backing.getItem(k),
        setItem: async (k, v) => backing.setItem(k, v),
        removeItem: async (k) => backing.removeItem(k),
      },
      'key',
    );
    await store.save(state);
    expect(await store.load()).toEqual(state);
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('SessionStore.load never throws, even when the store does', async () => {
    const store = new SessionStore(
      {
        getItem: async () => {
          throw new Error('disk gone');
        },
        setItem: () => {},
        removeItem: () => {},
      },
      'key',
    );
    await expect(store.load()).resolves.toBeNull();
  });

  it('reads garbage, other versions and partial sessions as signed out', () => {
    expect(parseStoredState(serializeState(state))).toEqual(state);
    for (const raw of [
      null,
      '',
      'nope',
      '[]',
      JSON.stringify({ ...state, version: 2 }),
      JSON.stringify({ version: 1, session: { accessToken: 'a' }, user: state.user }),
      JSON.stringify({ version: 1, session: state.session, user: {} }),
    ]) {
      expect(parseStoredState(raw)).toBeNull();
    }
  });
});
