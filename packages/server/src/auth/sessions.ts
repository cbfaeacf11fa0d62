import { withTransaction } from '../db/transaction.js';
import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import type { AccessTokens } from './access-tokens.js';
import type { AuthStatusCache } from './auth-status-cache.js';
import { hashToken, newOpaqueToken } from '../lib/opaque-tokens.js';
import type { Db, UserRow } from './users.js';

/** What sign-in returns: DESIGN.md §4. `expiresAt` is when the access token expires, in epoch seconds. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  tokenType: 'Bearer';
}

export interface ClientInfo {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface SessionInfo {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  methods: string[];
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

export interface SessionLifetimes {
  /** Absolute lifetime of a session, seconds. */
  absoluteSeconds: number;
  /** Inactivity timeout, seconds. */
  idleSeconds: number;
}

interface RefreshRow {
  session_id: string;
  used_at: Date | null;
  user_id: string;
  revoked_at: Date | null;
  expires_at: Date;
  last_used_at: Date;
  auth_time: Date;
  methods: string[];
  disabled: boolean;
  role: string;
}

const truncate = (value: string | undefined, max: number) =>
  value === undefined ? null : value.slice(0, max);

/**
 * Sessions are refresh-token families. Each refresh rotates the token; a
 * token used twice means it leaked, so the whole family is revoked. The
 * session row is locked during a refresh, so concurrent refreshes with one
 * token yield at most one new token.
 */
export class SessionService {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: AccessTokens,
    private readonly lifetimes: SessionLifetimes,
    private readonly cache: AuthStatusCache,
  ) {}

  async create(
    db: Db,
    user: Pick<UserRow, 'id' | 'role'>,
    methods: string[],
    client: ClientInfo = {},
  ): Promise<Session> {
    const refreshToken = newOpaqueToken();
    // One statement: the session and its first refresh token exist together or not at all.
    const { rows } = await db.query<{ id: string; auth_time: Date }>({
      name: 'hearth.create-session',
      text: `WITH session AS (
         INSERT INTO hearth.sessions (user_id, expires_at, methods, user_agent, ip)
         VALUES ($1, now() + make_interval(secs => $2), $3, $4, $5)
         RETURNING id, auth_time
       ), token AS (
         INSERT INTO hearth.refresh_tokens (token_hash, session_id) SELECT $6, id FROM session
       )
       SELECT id, auth_time FROM session`,
      values: [
        user.id,
        this.lifetimes.absoluteSeconds,
        methods,
        truncate(client.userAgent, 512),
        truncate(client.ip, 64),
        hashToken(refreshToken),
      ],
    });
    const session = rows[0]!;
    const access = this.tokens.issue({
      userId: user.id,
      sessionId: session.id,
      role: user.role,
      authTime: Math.floor(session.auth_time.getTime() / 1000),
      methods,
    });
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, tokenType: 'Bearer' };
  }

  async refresh(refreshToken: string): Promise<{ session: Session; userId: string }> {
    const tokenHash = hashToken(refreshToken);
    const outcome = await withTransaction(this.pool, async (db) => {
      const found = await db.query<{ session_id: string }>({
        name: 'hearth.refresh-token-session',
        text: 'SELECT session_id FROM hearth.refresh_tokens WHERE token_hash = $1',
        values: [tokenHash],
      });
      const sessionId = found.rows[0]?.session_id;
      if (!sessionId) return { error: 'auth/invalid-token' as const };
      // Lock the family, then read the token in a fresh statement: a concurrent
      // refresh that held the lock first has marked it used by now.
      await db.query({
        name: 'hearth.lock-session',
        text: 'SELECT 1 FROM hearth.sessions WHERE id = $1 FOR UPDATE',
        values: [sessionId],
      });
      const { rows } = await db.query<RefreshRow>({
        name: 'hearth.refresh-state',
        text: `SELECT rt.session_id, rt.used_at, s.user_id, s.revoked_at, s.expires_at, s.last_used_at, s.auth_time,
                      s.methods, u.disabled, u.role
               FROM hearth.sessions s
               JOIN hearth.users u ON u.id = s.user_id
               JOIN hearth.refresh_tokens rt ON rt.session_id = s.id AND rt.token_hash = $2
               WHERE s.id = $1`,
        values: [sessionId, tokenHash],
      });
      const row = rows[0];
      if (!row) return { error: 'auth/invalid-token' as const };
      if (row.revoked_at) return { error: 'auth/session-revoked' as const, userId: row.user_id };
      if (row.used_at) {
        await this.revokeWithin(db, sessionId, 'refresh-token-reuse');
        return { error: 'auth/session-revoked' as const, userId: row.user_id, reuse: true };
      }
      const now = Date.now();
      const idleLimit = row.last_used_at.getTime() + this.lifetimes.idleSeconds * 1000;
      if (row.expires_at.getTime() <= now || idleLimit <= now || row.disabled) {
        await this.revokeWithin(db, sessionId, row.disabled ? 'user-disabled' : 'expired');
        return { error: 'auth/session-revoked' as const, userId: row.user_id };
      }
      const next = newOpaqueToken();
      // One statement: spend the old token, add the next one, touch the session.
      await db.query({
        name: 'hearth.rotate-refresh-token',
        text: `WITH spent AS (
                 UPDATE hearth.refresh_tokens SET used_at = now() WHERE token_hash = $1
               ), touched AS (
                 UPDATE hearth.sessions SET last_used_at = now() WHERE id = $2
               )
               INSERT INTO hearth.refresh_tokens (token_hash, session_id) VALUES ($3, $2)`,
        values: [tokenHash, sessionId, hashToken(next)],
      });
      const access = this.tokens.issue({
        userId: row.user_id,
        sessionId,
        role: row.role,
        authTime: Math.floor(row.auth_time.getTime() / 1000),
        methods: row.methods,
      });
      const session: Session = {
        accessToken: access.token,
        refreshToken: next,
        expiresAt: access.expiresAt,
        tokenType: 'Bearer',
      };
      return { session, userId: row.user_id };
    });
    if ('error' in outcome) {
      if (outcome.userId) this.cache.forgetUser(outcome.userId);
      const message =
        'reuse' in outcome
          ? 'This refresh token was already used; the session has been revoked as a precaution.'
          : undefined;
      throw new HearthError(outcome.error, message);
    }
    return outcome;
  }

  private async revokeWithin(db: Db, sessionId: string, reason: string): Promise<void> {
    await db.query(
      'UPDATE hearth.sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
      [sessionId, reason],
    );
    this.cache.forget(sessionId);
  }

  /** Ends the session a refresh token belongs to. Unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string, userId?: string): Promise<void> {
    const { rows } = await this.pool.query<{ user_id: string }>(
      `UPDATE hearth.sessions s SET revoked_at = now(), revoked_reason = 'logout'
       FROM hearth.refresh_tokens rt
       WHERE rt.token_hash = $1 AND rt.session_id = s.id AND s.revoked_at IS NULL
         AND ($2::uuid IS NULL OR s.user_id = $2)
       RETURNING s.id, s.user_id`,
      [hashToken(refreshToken), userId ?? null],
    );
    for (const row of rows) this.cache.forgetUser(row.user_id);
  }

  async revoke(userId: string, sessionId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE hearth.sessions SET revoked_at = now(), revoked_reason = 'revoked'
       WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [sessionId, userId],
    );
    this.cache.forget(sessionId);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Ends every session of a user. Inside a transaction, call `forgetCached`
   * after it commits.
   */
  async revokeAll(db: Db, userId: string, reason: string, exceptSessionId?: string): Promise<number> {
    const { rowCount } = await db.query(
      `UPDATE hearth.sessions SET revoked_at = now(), revoked_reason = $2
       WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`,
      [userId, reason, exceptSessionId ?? null],
    );
    this.cache.forgetUser(userId);
    return rowCount ?? 0;
  }

  forgetCached(userId: string): void {
    this.cache.forgetUser(userId);
  }

  async list(userId: string, currentSessionId?: string): Promise<SessionInfo[]> {
    const { rows } = await this.pool.query<{
      id: string;
      created_at: Date;
      last_used_at: Date;
      expires_at: Date;
      methods: string[];
      user_agent: string | null;
      ip: string | null;
    }>(
      `SELECT id, created_at, last_used_at, expires_at, methods, user_agent, ip FROM hearth.sessions
       WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
         AND last_used_at > now() - make_interval(secs => $2)
       ORDER BY created_at DESC LIMIT 200`,
      [userId, this.lifetimes.idleSeconds],
    );
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      methods: row.methods,
      userAgent: row.user_agent,
      ip: row.ip,
      current: row.id === currentSessionId,
    }));
  }

  /** When the session's user last presented credentials. */
  async authTime(sessionId: string): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ auth_time: Date }>(
      'SELECT auth_time FROM hearth.sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0]?.auth_time;
  }

  async markReauthenticated(db: Db, sessionId: string, method: string): Promise<void> {
    await db.query(
      `UPDATE hearth.sessions SET auth_time = now(),
         methods = CASE WHEN $2 = ANY(methods) THEN methods ELSE array_append(methods, $2) END
       WHERE id = $1`,
      [sessionId, method],
    );
  }
}
