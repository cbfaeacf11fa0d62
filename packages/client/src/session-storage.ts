/**
 * Where the session is kept between page loads or app starts. Synchronous
 * stores (localStorage) and asynchronous ones (React Native's AsyncStorage)
 * both fit: every method may return a value or a promise of it.
 */
export interface SessionStorage {
  getItem(key: string): string | null | undefined | Promise<string | null | undefined>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** Keeps the session in this process only: the default outside browsers. */
export function memoryStorage(): SessionStorage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

interface WebStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The browser's localStorage, or undefined where there is none or it is
 * unusable (some private modes throw on write, and so do opaque origins).
 */
export function localStorageAdapter(): SessionStorage | undefined {
  let storage: WebStorage | undefined;
  try {
    storage = (globalThis as { localStorage?: WebStorage }).localStorage;
    if (storage === undefined || storage === null) return undefined;
    const probe = '__hearth_probe__';
    storage.setItem(probe, probe);
    storage.removeItem(probe);
  } catch {
    return undefined;
  }
  const web = storage;
  return {
    getItem: (key) => web.getItem(key),
    setItem: (key, value) => web.setItem(key, value),
    removeItem: (key) => web.removeItem(key),
  };
}

/** True in a browser page (not in Node, workers or React Native). */
export function isBrowserPage(): boolean {
  const scope = globalThis as { window?: unknown; document?: unknown };
  return typeof scope.window === 'object' && scope.window !== null && typeof scope.document === 'object';
}

/** localStorage in browsers, memory everywhere else. */
export function defaultSessionStorage(): { storage: SessionStorage; persistent: boolean } {
  const local = isBrowserPage() ? localStorageAdapter() : undefined;
  return local === undefined
    ? { storage: memoryStorage(), persistent: false }
    : { storage: local, persistent: true };
}
