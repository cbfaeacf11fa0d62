import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { AuthStatusCache, CachedStatus } from '../auth/auth-status-cache.js';
import { hashToken } from '../auth/opaque-tokens.js';

/** Secret scanners can spot Hearth keys by this prefix. */
export const SERVICE_KEY_PREFIX = 'hearth_sk_';
const SHOWN_PREFIX_LENGTH = SERVICE_KEY_PREFIX.length + 8;

/**
 * What a key may do beyond the admin API, granted when it is created. Every
 * key acts as an admin; a scope opens something an admin user sees but a
 * machine should not by default. `mail:read`: mail bodies in the outbox
 * (which, without SMTP, hold live sign-in links).
 */
export const SERVICE_KEY_SCOPES = ['mail:read'] as const;
export type ServiceKeyScope = (typeof SERVICE_KEY_SCOPES)[number];

export interface ServiceKeyInfo {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
}

const toInfo = (row: KeyRow): ServiceKeyInfo => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
});

export function looksLikeServiceKey(token: string): boolean {
  return token.startsWith(SERVICE_KEY_PREFIX);
}

/** Keys for CI and servers: admin rights, stored as a SHA-256 hash, shown once. */
export class ServiceKeyService {
  constructor(
    private readonly pool: Pool,
    private readonly cache: AuthStatusCache,
  ) {}

  async create(
    name: string,
    createdBy: string | undefined,
    scopes: readonly ServiceKeyScope[] = [],
  ): Promise<ServiceKeyInfo & { key: string }> {
    const key = `${SERVICE_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const { rows } = await this.pool.query<KeyRow>(
      `INSERT INTO hearth.service_keys (name, prefix, key_hash, created_by, scopes) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, name, prefix, scopes, created_at, last_used_at`,
      [name, key.slice(0, SHOWN_PREFIX_LENGTH), hashToken(key), createdBy ?? null, [...new Set(scopes)]],
    );
    return { ...toInfo(rows[0]!), key };
  }

  async list(): Promise<ServiceKeyInfo[]> {
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT id, name, prefix, scopes, created_at, last_used_at FROM hearth.service_keys
       WHERE revoked_at IS NULL ORDER BY created_at DESC`,
    );
    return rows.map(toInfo);
  }

  async revoke(id: string): Promise<void> {
    const { rowCount } = await this.pool.query(
      'UPDATE hearth.service_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    this.cache.clear();
    if ((rowCount ?? 0) === 0) throw new HearthError('admin/not-found', 'No such service key.');
  }

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
