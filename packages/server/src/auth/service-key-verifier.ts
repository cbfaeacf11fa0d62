import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { AuthStatusCache, CachedStatus } from './auth-status-cache.js';
import { hashToken } from '../lib/opaque-tokens.js';

/** Secret scanners can spot Hearth keys by this prefix. */
export const SERVICE_KEY_PREFIX = 'hearth_sk_';

export function looksLikeServiceKey(token: string): boolean {
  return token.startsWith(SERVICE_KEY_PREFIX);
}

/** Checks a presented service key (admin/service-keys.ts creates and revokes them). */
export class ServiceKeyVerifier {
  constructor(
    private readonly pool: Pool,
    private readonly cache: AuthStatusCache,
  ) {}

  /** Resolves a presented key; the answer is cached briefly, like session checks. */
  async verify(key: string): Promise<{ keyId: string; name: string; scopes: readonly string[] }> {
    const cacheKey = `sk:${hashToken(key).toString('base64url')}`;
    let status = this.cache.get(cacheKey);
    if (!status) {
      const { rows } = await this.pool.query<{ id: string; name: string; scopes: string[] }>(
        `UPDATE hearth.service_keys SET last_used_at = now()
         WHERE key_hash = $1 AND revoked_at IS NULL RETURNING id, name, scopes`,
        [hashToken(key)],
      );
      const row = rows[0];
      status = row
        ? ({
            ok: true,
            userId: row.id,
            user: serviceUser(row.id, row.name),
            scopes: row.scopes,
          } satisfies CachedStatus)
        : ({ ok: false, code: 'auth/invalid-token', userId: undefined } satisfies CachedStatus);
      this.cache.set(cacheKey, status);
    }
    if (!status.ok) throw new HearthError('auth/invalid-token', 'Unknown or revoked service key.');
    return { keyId: status.userId, name: status.user.email ?? '', scopes: status.scopes ?? [] };
  }
}

/** The cache holds AuthUser-shaped entries; a key's name rides in the email slot. */
function serviceUser(id: string, name: string) {
  return { id, email: name, role: 'admin' as const, emailVerified: false, anonymous: false };
}
