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

  it('createClient rejects a URL that is not absolute', () => {
    expect(() => createClient('localhost:8090')).toThrow(TypeError);
  });
});
