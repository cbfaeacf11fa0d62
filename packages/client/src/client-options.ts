import { webLocks, storageLease, type CrossTabLock } from './cross-tab-lock.js';
import type { FetchLike } from './http-client.js';
import { defaultSessionStorage, isBrowserPage, type SessionStorage } from './session-storage.js';

export interface HearthClientOptions {
  /** The fetch to use (default: the global fetch). */
  fetch?: FetchLike;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * Where the session is kept: localStorage by default in browsers, memory
   * elsewhere. Any `{getItem, setItem, removeItem}`, sync or async
   * (React Native's AsyncStorage), fits.
   */
  storage?: SessionStorage;
  /** The storage key for the session (default `hearth.auth:<server URL>`). */
  storageKey?: string;
  /** Refresh the session ahead of expiry on a timer (default true). Requests refresh on demand either way. */
  autoRefresh?: boolean;
  /** How long before the access token expires to refresh it (default 60 s; at most half its lifetime). */
  refreshMarginSeconds?: number;
  /**
   * Keep tabs sharing this storage in step (sign-in, sign-out, refresh), and
   * refresh under a cross-tab lock. Default: on in browsers, off elsewhere.
   * `{ channelName }` picks the BroadcastChannel name.
   */
  tabSync?: boolean | { channelName?: string };
}

/** Every option with its default filled in. */
export interface ResolvedClientOptions {
  url: string;
  fetch: FetchLike | undefined;
  headers: Record<string, string>;
  storage: SessionStorage;
  storageKey: string;
  autoRefresh: boolean;
  refreshMarginSeconds: number;
  tabSync: false | { channelName: string };
  lock: CrossTabLock | undefined;
}

const KNOWN_OPTIONS = new Set<string>([
  'fetch',
  'headers',
  'storage',
  'storageKey',
  'autoRefresh',
  'refreshMarginSeconds',
  'tabSync',
] satisfies (keyof HearthClientOptions)[]);

export const DEFAULT_REFRESH_MARGIN_SECONDS = 60;

/** The one place defaults are decided. Unknown or ill-typed options throw, so a typo never passes silently. */
export function resolveClientOptions(url: string, options: HearthClientOptions = {}): ResolvedClientOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new TypeError(`Hearth: unknown option "${key}" (known: ${[...KNOWN_OPTIONS].join(', ')})`);
    }
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('Hearth: option "fetch" must be a function');
  }
  const margin = options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;
  if (typeof margin !== 'number' || !Number.isFinite(margin) || margin < 0) {
    throw new TypeError('Hearth: option "refreshMarginSeconds" must be a number of seconds >= 0');
  }
  if (options.storage !== undefined && !isStorage(options.storage)) {
    throw new TypeError('Hearth: option "storage" must have getItem, setItem and removeItem');
  }

  const storage = options.storage ?? defaultSessionStorage().storage;
  const storageKey = options.storageKey ?? `hearth.auth:${url.replace(/\/+$/, '')}`;
  const tabSyncOption = options.tabSync ?? isBrowserPage();
  const tabSync =
    tabSyncOption === false
      ? false
      : {
          channelName:
            (tabSyncOption === true ? undefined : tabSyncOption.channelName) ?? `hearth:${storageKey}`,
        };

  return {
    url,
    fetch: options.fetch,
    headers: { ...options.headers },
    storage,
    storageKey,
    autoRefresh: options.autoRefresh ?? true,
    refreshMarginSeconds: margin,
    tabSync,
    // Two tabs must not both spend the same refresh token (the server would see a reuse and end the session).
    lock: tabSync === false ? undefined : (webLocks() ?? storageLease(storage)),
  };
}

function isStorage(value: unknown): value is SessionStorage {
  const s = value as Partial<SessionStorage> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.getItem === 'function' &&
    typeof s.setItem === 'function' &&
    typeof s.removeItem === 'function'
  );
}
