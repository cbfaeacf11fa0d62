import type { Logger } from 'pino';
import { deleteRefusal } from '../collections/delete-errors.js';
import type { Pool } from '../db/pool.js';
import { withTransaction } from '../db/transaction.js';
import { HearthError } from '../errors/index.js';
import type { SessionService } from './sessions.js';
import type { UserRow } from './users.js';

export interface DeletedUser {
  id: string;
  email: string | null;
}

/**
 * Deletes a user and everything that is theirs, in one transaction:
 * sessions and refresh tokens, MFA secrets and recovery codes, OAuth
 * identities, one-time mail tokens and Idempotency-Key replays go with the
 * row (foreign keys and this function); mail addressed to them is deleted
 * from the outbox; every relation that points at `users` applies its
 * onDelete (cascade, setNull, or restrict, which refuses the whole delete
 * with 409 records/referenced). After the commit the auth cache forgets the
 * user on every node, so their access tokens stop working at once.
 *
 * The last active admin cannot be deleted (409 admin/last-admin): nobody
 * could administer the instance after it. Undefined when no such user exists.
 */
export async function deleteUser(
  pool: Pool,
  sessions: SessionService,
  logger: Logger,
  userId: string,
  actor: string,
): Promise<DeletedUser | undefined> {
  const deleted = await withTransaction(pool, async (db) => {
    const { rows } = await db.query<Pick<UserRow, 'id' | 'email' | 'role' | 'disabled'>>(
      'SELECT id, email, role, disabled FROM hearth.users WHERE id = $1 FOR UPDATE',
      [userId],
    );
    const user = rows[0];
    if (!user) return undefined;
    if (user.role === 'admin' && !user.disabled) {
      // Locked in one order, so two admins deleting each other cannot both succeed.
      const admins = await db.query<{ id: string }>(
        `SELECT id FROM hearth.users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`,
      );
      if (!admins.rows.some((row) => row.id !== user.id)) {
        throw new HearthError('admin/last-admin');
      }
    }
    if (user.email !== null) await db.query('DELETE FROM hearth.outbox WHERE "to" = $1', [user.email]);
    await db.query('DELETE FROM hearth.idempotency_keys WHERE scope = $1', [`user:${user.id}`]);
    try {
      await db.query('DELETE FROM hearth.users WHERE id = $1', [user.id]);
    } catch (error) {
      throw deleteRefusal(error) ?? error;
    }
    return { id: user.id, email: user.email };
  });
  if (deleted) {
    sessions.forgetCached(deleted.id);
    logger.info({ userId: deleted.id, actor }, 'user deleted');
  }
  return deleted;
}
