import type { SessionStorage } from './session-storage.js';

/** Mutual exclusion between tabs (or client instances) that share a session. */
export interface CrossTabLock {
  withLock<T>(name: string, task: () => Promise<T>): Promise<T>;
  /**
   * Marks `name` as spent for `ms`, visible to every tab at once; resolves
   * once the mark is in place. Storage written by one tab can reach another
   * tab later than the lock does (Chromium syncs localStorage between
   * renderers asynchronously), so the next lock holder asks this instead.
   */
  markSpent?(name: string, ms: number): Promise<void>;
  isSpent?(name: string): Promise<boolean>;
}

/** For a client that shares its session with nobody. */
export const noLock: CrossTabLock = { withLock: (_name, task) => task() };

interface LockManager {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  request<T>(name: string, options: { mode: 'shared' | 'exclusive' }, callback: () => Promise<T>): Promise<T>;
  query?(): Promise<{ held?: Array<{ name?: string }> }>;
}

/** The Web Locks API, when the runtime has it. */
export function webLocks(): CrossTabLock | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  if (locks === undefined || typeof locks.request !== 'function') return undefined;
  const query = locks.query?.bind(locks);
  return {
    withLock: (name, task) => locks.request(name, task),
    ...(query === undefined
      ? {}
      : {
          markSpent: (name: string, ms: number) =>
            new Promise<void>((granted) => {
              // A shared lock held for `ms`: the mark lives in the browser's lock manager, not in storage.
              void locks.request(name, { mode: 'shared' }, () => {
                granted();
                return new Promise<void>((release) => setTimeout(release, ms));
              });
            }),
          isSpent: async (name: string) => ((await query()).held ?? []).some((lock) => lock.name === name),
        }),
  };
}

/** A short tag for a secret, for lock names: FNV-1a, so the token itself never appears. */
export function tagOf(secret: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < secret.length; i += 1) {
    hash ^= secret.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

export interface StorageLeaseOptions {
  /** How long a lease is honoured if its holder dies before releasing it. */
  leaseMs?: number;
  /** Give up waiting after this long and run anyway (best effort). */
  maxWaitMs?: number;
  /** Time between a write and the read that checks no other tab overwrote it. */
  settleMs?: number;
}

interface Lease {
  owner: string;
  until: number;
}

/**
 * A best-effort lock for browsers without Web Locks: a lease written to the
 * shared storage, confirmed by reading it back after a short pause. Two tabs
 * can still race in rare interleavings; the refresh logic tolerates that by
 * re-reading the stored session once it holds the lease.
 */
export function storageLease(storage: SessionStorage, options: StorageLeaseOptions = {}): CrossTabLock {
  const leaseMs = options.leaseMs ?? 10_000;
  const maxWaitMs = options.maxWaitMs ?? 15_000;
  const settleMs = options.settleMs ?? 30;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const read = async (key: string): Promise<Lease | undefined> => {
    try {
      const raw = await storage.getItem(key);
      const lease = raw ? (JSON.parse(raw) as Partial<Lease>) : undefined;
      return typeof lease?.owner === 'string' && typeof lease.until === 'number'
        ? { owner: lease.owner, until: lease.until }
        : undefined;
    } catch {
      return undefined;
    }
  };

  return {
    async withLock(name, task) {
      const key = `${name}.lease`;
      const owner = randomId();
      const giveUpAt = Date.now() + maxWaitMs;
      let held = false;
      while (!held && Date.now() < giveUpAt) {
        const current = await read(key);
        if (current === undefined || current.until < Date.now()) {
          await storage.setItem(key, JSON.stringify({ owner, until: Date.now() + leaseMs }));
          await sleep(settleMs);
          held = (await read(key))?.owner === owner;
        }
        if (!held) await sleep(settleMs + Math.random() * 50);
      }
      try {
        return await task();
      } finally {
        if (held && (await read(key))?.owner === owner) await storage.removeItem(key);
      }
    },
  };
}

export function randomId(): string {
  const cryptoApi = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof cryptoApi?.randomUUID === 'function') return cryptoApi.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
