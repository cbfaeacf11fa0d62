import { webLocks, storageLease, type CrossTabLock } from './cross-tab-lock.js';
import type { FetchLike } from './http-client.js';
import { defaultSessionStorage, isBrowserPage, type SessionStorage } from './session-storage.js';

export interface HearthClientOptions {
  /** The fetch to use (default: the global fetch). */
  fetch?: FetchLike;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /**
   * A service key (`hearth_sk_…`), for servers and scripts: sent as the
   * bearer token of every request while nobody is signed in. It has admin
   * rights, so never ship it to a browser.
   */
  serviceKey?: string;
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

type OptionCheck = { test: (value: unknown) => boolean; expected: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every option and the type it must have: one entry per option, so a new
 * option cannot be added without saying what it accepts. `undefined` always
 * means "the default".
 */
const OPTION_CHECKS: { [K in keyof Required<HearthClientOptions>]: OptionCheck } = {
  fetch: { test: (value) => typeof value === 'function', expected: 'a function' },
  headers: {
    test: (value) =>
      isPlainObject(value) &&
      [Object.prototype, null].includes(Object.getPrototypeOf(value)) &&
      Object.values(value).every((v) => typeof v === 'string'),
    expected: 'an object of header names to string values',
  },
  serviceKey: {
    test: (value) => typeof value === 'string' && value !== '',
    expected: 'a non-empty string',
  },
  storage: { test: isStorage, expected: 'an object with getItem, setItem and removeItem' },
  storageKey: {
    test: (value) => typeof value === 'string' && value !== '',
    expected: 'a non-empty string',
  },
  autoRefresh: { test: (value) => typeof value === 'boolean', expected: 'true or false' },
  refreshMarginSeconds: {
    test: (value) => typeof value === 'number' && Number.isFinite(value) && value >= 0,
    expected: 'a number of seconds >= 0',
  },
  tabSync: {
    test: (value) =>
      typeof value === 'boolean' ||
      (isPlainObject(value) &&
        Object.keys(value).every((key) => key === 'channelName') &&
        (value.channelName === undefined ||
          (typeof value.channelName === 'string' && value.channelName !== ''))),
    expected: 'true, false or { channelName: string }',
  },
};

export const DEFAULT_REFRESH_MARGIN_SECONDS = 60;

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.slice(0, 40))}` : `a ${typeof value}`;
}

/** Throws a TypeError naming the first unknown or ill-typed option. */
function assertOptions(options: unknown): asserts options is HearthClientOptions {
  if (!isPlainObject(options)) {
    throw new TypeError(`Hearth: the options must be an object, not ${describeValue(options)}`);
  }
  const known = Object.keys(OPTION_CHECKS);
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(OPTION_CHECKS, key)) {
      throw new TypeError(`Hearth: unknown option "${key}" (known: ${known.join(', ')})`);
    }
    const check = OPTION_CHECKS[key as keyof HearthClientOptions];
    if (value !== undefined && !check.test(value)) {
      throw new TypeError(`Hearth: option "${key}" must be ${check.expected}, not ${describeValue(value)}`);
    }
  }
}

/** The one place defaults are decided. Unknown or ill-typed options throw, so a typo never passes silently. */
export function resolveClientOptions(url: string, options: HearthClientOptions = {}): ResolvedClientOptions {
  assertOptions(options);
  const margin = options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;

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
    headers:
      options.serviceKey === undefined
        ? { ...options.headers }
        : { authorization: `Bearer ${options.serviceKey}`, ...options.headers },
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
