import type { AuthUser } from './principal.js';

export type CachedStatus =
  | { ok: true; user: AuthUser; userId: string }
  | { ok: false; code: 'auth/session-revoked' | 'auth/invalid-token'; userId: string | undefined };

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

  constructor(private readonly ttlMs: number) {}

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
  }

  forgetUser(userId: string): void {
    for (const [key, entry] of this.entries) if (entry.status.userId === userId) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
