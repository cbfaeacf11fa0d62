import { describe, expect, it } from 'vitest';
import { resolveClientOptions } from './client-options.js';
import { createClient } from './hearth-client.js';
import { memoryStorage } from './session-storage.js';

describe('client options', () => {
  it('fills in defaults for Node: memory storage, auto refresh, no tab sync', () => {
    const resolved = resolveClientOptions('http://localhost:8090/');
    expect(resolved.autoRefresh).toBe(true);
    expect(resolved.refreshMarginSeconds).toBe(60);
    expect(resolved.storageKey).toBe('hearth.auth:http://localhost:8090');
    expect(resolved.tabSync).toBe(false);
    expect(resolved.lock).toBeUndefined();
  });

  it('turns on tab sync with a channel named after the storage key, and a cross-tab lock', () => {
    const resolved = resolveClientOptions('http://h', {
      tabSync: true,
      storageKey: 'app',
      storage: memoryStorage(),
    });
    expect(resolved.tabSync).toEqual({ channelName: 'hearth:app' });
    expect(resolved.lock).toBeDefined();
    expect(resolveClientOptions('http://h', { tabSync: { channelName: 'c' } }).tabSync).toEqual({
      channelName: 'c',
    });
  });

  it('rejects unknown and ill-typed options instead of ignoring them', () => {
    expect(() => resolveClientOptions('http://h', { autoRefreshToken: false } as never)).toThrow(
      /unknown option "autoRefreshToken"/,
    );
    expect(() => resolveClientOptions('http://h', { refreshMarginSeconds: -1 })).toThrow(
      /refreshMarginSeconds/,
    );
    expect(() => resolveClientOptions('http://h', { storage: {} as never })).toThrow(/storage/);
    expect(() => resolveClientOptions('http://h', { fetch: 'x' as never })).toThrow(/fetch/);
  });

  // The docs promise a TypeError for every option of the wrong type; one row per option and wrong type.
  it.each<[string, unknown]>([
    ['fetch', 'x'],
    ['fetch', {}],
    ['headers', 'x'],
    ['headers', ['x-a', 'b']],
    ['headers', { 'x-a': 1 }],
    ['headers', new Map([['x-a', 'b']])],
    ['headers', null],
    ['serviceKey', ''],
    ['serviceKey', 42],
    ['storage', {}],
    ['storage', 'localStorage'],
    ['storageKey', 42],
    ['storageKey', ''],
    ['autoRefresh', 'false'],
    ['autoRefresh', 0],
    ['refreshMarginSeconds', '60'],
    ['refreshMarginSeconds', -1],
    ['refreshMarginSeconds', Number.NaN],
    ['tabSync', 'yes'],
    ['tabSync', { channelName: 7 }],
    ['tabSync', { channel: 'c' }],
    ['tabSync', null],
  ])('createClient throws a TypeError for the wrong-typed option %s: %o', (key, value) => {
    expect(() => createClient('http://h', { [key]: value } as never)).toThrow(
      new RegExp(`^Hearth: option "${key}" must be `),
    );
    expect(() => createClient('http://h', { [key]: value } as never)).toThrow(TypeError);
  });

  it('accepts every option with a value of its documented type, and undefined as the default', () => {
    const resolved = resolveClientOptions('http://h', {
      fetch: () => Promise.resolve(new Response()),
      headers: { 'x-app': 'demo' },
      storage: memoryStorage(),
      storageKey: 'k',
      autoRefresh: false,
      refreshMarginSeconds: 0,
      tabSync: { channelName: 'c' },
    });
    expect(resolved.headers).toEqual({ 'x-app': 'demo' });
    expect(resolved.autoRefresh).toBe(false);
    expect(
      resolveClientOptions('http://h', { headers: undefined, autoRefresh: undefined } as never).autoRefresh,
    ).toBe(true);
  });

  it('sends a service key as the bearer token, unless a header of its own is given', () => {
    expect(resolveClientOptions('http://h', { serviceKey: 'hearth_sk_x' }).headers).toEqual({
      authorization: 'Bearer hearth_sk_x',
    });
    expect(
      resolveClientOptions('http://h', { serviceKey: 'hearth_sk_x', headers: { authorization: 'Bearer y' } })
        .headers,
    ).toEqual({ authorization: 'Bearer y' });
  });

  it('createClient rejects options that are not an object', () => {
    expect(() => createClient('http://h', 'x' as never)).toThrow(/options must be an object/);
  });

  it('createClient rejects a URL that is not absolute', () => {
    expect(() => createClient('localhost:8090')).toThrow(TypeError);
  });
});
