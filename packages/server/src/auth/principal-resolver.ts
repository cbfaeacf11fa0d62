import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { AccessTokens } from './access-tokens.js';
import type { AuthStatusCache, CachedStatus } from './auth-status-cache.js';
import { looksLikeServiceKey, type ServiceKeyVerifier } from './service-key-verifier.js';
import { anonymous, type Principal } from './principal.js';
import { toAuthUser, type UserRow } from './users.js';

type StatusRow = Pick<UserRow, 'id' | 'email' | 'emailVerified' | 'role' | 'anonymous' | 'disabled'> & {
  revoked_at: Date | null;
  expires_at: Date;
};

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]{1,4096})[ \t]*$/i;

/**
 * Turns an Authorization header into a principal. A bad, expired or revoked
 * token is an error, never a silent fallback to anonymous.
 */
export class PrincipalResolver {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: AccessTokens,
    private readonly serviceKeys: ServiceKeyVerifier,
    private readonly cache: AuthStatusCache,
  ) {}

  async resolve(authorization: string | undefined): Promise<Principal> {
    if (authorization === undefined || authorization === '') return anonymous;
    const match = BEARER.exec(authorization);
    if (!match?.[1])
      throw new HearthError('auth/invalid-token', 'The Authorization header must be "Bearer <token>".');
    return this.resolveToken(match[1]);
  }

  async resolveToken(token: string): Promise<Principal> {
    if (looksLikeServiceKey(token)) {
      const { keyId, name, scopes } = await this.serviceKeys.verify(token);
      return { kind: 'service', keyId, name, scopes };
    }
    const verified = await this.tokens.verify(token);
    const status = await this.sessionStatus(verified.sessionId);
    if (!status.ok) throw new HearthError(status.code);
    if (status.userId !== verified.userId) throw new HearthError('auth/invalid-token');
    return { kind: 'user', user: status.user, sessionId: verified.sessionId };
  }

  /** Whether the session still stands (not revoked, not past its lifetime, user enabled); cached briefly. */
  private async sessionStatus(sessionId: string): Promise<CachedStatus> {
    const cached = this.cache.get(sessionId);
    if (cached) return cached;
    const { rows } = await this.pool.query<StatusRow>({
      name: 'hearth.session-status',
      text: `SELECT u.id, u.email, u."emailVerified", u.role, u.anonymous, u.disabled, s.revoked_at, s.expires_at
             FROM hearth.sessions s JOIN hearth.users u ON u.id = s.user_id WHERE s.id = $1`,
      values: [sessionId],
    });
    const row = rows[0];
    let status: CachedStatus;
    if (!row) status = { ok: false, code: 'auth/invalid-token', userId: undefined };
    else if (row.revoked_at || row.disabled || row.expires_at.getTime() <= Date.now()) {
      status = { ok: false, code: 'auth/session-revoked', userId: row.id };
    } else status = { ok: true, user: toAuthUser(row), userId: row.id };
    this.cache.set(sessionId, status);
    return status;
  }
}
