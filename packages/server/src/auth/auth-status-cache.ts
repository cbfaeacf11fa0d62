import type { AuthUser } from './principal.js';

export type CachedStatus =
  | { ok: true; user: AuthUser; userId: string; scopes?: readonly string[] }
  | { ok: false; code: 'auth/session-revoked' | 'auth/invalid-token'; userId: string | undefined };

/** What one node tells the others to forget. */
export type Forget = { session: string } | { user: string } | { all: true };

interface Entry {
  status: CachedStatus;
  until: number;
}

const MAX_ENTRIES = 50_000;

/**
 * Remembers for a short time whether a session (or service key) is still
 * valid, so an authenticated request costs no database round trip. The node
 * that revokes drops its entries at once; other nodes notice within the TTL.
 */
export class AuthStatusCache {
  private entries = new Map<string, Entry>();

  /** Set when HEARTH_REDIS_URL is configured: other nodes hear about every revocation at once. */
  broadcast: ((message: Forget) => void) | undefined;

  constructor(private readonly ttlMs: number) {}

  /** Applies a revocation heard from another node (without echoing it). */
  applyRemote(message: Forget): void {
    if ('session' in message) this.entries.delete(message.session);
    else if ('user' in message) this.dropUser(message.user);
    else this.entries.clear();
  }

  get(key: string): CachedStatus | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until < Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.status;
  }

  set(key: string, status: CachedStatus): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { status, until: Date.now() + this.ttlMs });
  }

  forget(key: string): void {
    this.entries.delete(key);
    this.broadcast?.({ session: key });
  }

  forgetUser(userId: string): void {
    this.dropUser(userId);
    this.broadcast?.({ user: userId });
  }

  clear(): void {
    this.entries.clear();
    this.broadcast?.({ all: true });
  }

  private dropUser(userId: string): void {
    for (const [key, entry] of this.entries) if (entry.status.userId === userId) this.entries.delete(key);
  }
}
