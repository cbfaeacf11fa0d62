import { quoteIdentifier, type RecordLike } from '@hearth/schema';
import { isAdmin, type Principal } from '../auth/principal.js';
import type { Pool, PoolClient } from '../db/pool.js';
import type { LiveSchema } from './live-schema.js';

/**
 * Who is calling the record API, and their `auth` record for rules. The
 * token gives id, email, role and verified; profile fields need the user's
 * row, which is read at most once per request.
 */
export class Caller {
  readonly admin: boolean;
  readonly userId: string | null;
  private row: Promise<Record<string, unknown> | null> | undefined;

  constructor(readonly principal: Principal) {
    this.admin = isAdmin(principal);
    this.userId = principal.kind === 'user' ? principal.user.id : null;
  }

  /** Idempotency keys are remembered per caller. */
  get scope(): string {
    if (this.principal.kind === 'user') return `user:${this.principal.user.id}`;
    if (this.principal.kind === 'service') return `key:${this.principal.keyId}`;
    return 'anonymous';
  }

  async auth(db: Pool | PoolClient, schema: LiveSchema, needRow: boolean): Promise<RecordLike | null> {
    const principal = this.principal;
    if (principal.kind !== 'user') return null;
    const base: Record<string, unknown> = {
      id: principal.user.id,
      email: principal.user.email,
      role: principal.user.role,
      verified: principal.user.emailVerified,
    };
    if (!needRow) return base;
    this.row ??= (async () => {
      const users = schema.collections.get('users');
      const columns = [
        '"createdAt"',
        '"updatedAt"',
        ...[...(users?.writable.keys() ?? [])].map(quoteIdentifier),
      ];
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT ${columns.join(', ')} FROM hearth.users WHERE id = $1`,
        [principal.user.id],
      );
      return rows[0] ?? null;
    })();
    const row = await this.row;
    return row ? { ...row, ...base } : base;
  }
}
