import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { AuthStatusCache } from '../auth/auth-status-cache.js';
import { hashToken } from '../lib/opaque-tokens.js';
import { SERVICE_KEY_PREFIX } from '../auth/service-key-verifier.js';

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

/**
 * Managing keys for CI and servers: admin rights, stored as a SHA-256 hash,
 * shown once. Presented keys are checked by auth (auth/service-key-verifier.ts).
 */
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
}
