import { withTransaction } from '../db/transaction.js';
import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { hashPassword } from '../auth/password-hashing.js';
import { assertPasswordPolicy } from '../auth/password-policy.js';
import { constantTimeEqual } from '../lib/opaque-tokens.js';
import type { ClientInfo, Session, SessionService } from '../auth/sessions.js';
import { normalizeEmail, toPublicUser, type Db, type PublicUser, type UserRow } from '../auth/users.js';
import { secretNames } from '../secrets/instance-secrets.js';

/**
 * Makes `email` an admin with `password`: a new verified account, or an
 * existing one promoted. Marks setup complete and deletes the setup token.
 * Used by POST /api/admin/setup and `hearth admin create`.
 */
export async function createAdminUser(db: Db, input: { email: string; password: string }): Promise<UserRow> {
  assertPasswordPolicy(input.password);
  const passwordHash = await hashPassword(input.password);
  const { rows } = await db.query<UserRow>(
    `INSERT INTO hearth.users (email, "passwordHash", "passwordChangedAt", role, "emailVerified")
     VALUES ($1, $2, now(), 'admin', true)
     ON CONFLICT (email) DO UPDATE SET role = 'admin', "passwordHash" = EXCLUDED."passwordHash",
       "passwordChangedAt" = now(), "emailVerified" = true, disabled = false, "updatedAt" = now()
     RETURNING *`,
    [normalizeEmail(input.email), passwordHash],
  );
  await db.query('DELETE FROM hearth.secrets WHERE name = $1', [secretNames.setupToken]);
  await db.query(
    `INSERT INTO hearth.instance (key, value) VALUES ('setup-complete', to_jsonb(now()))
     ON CONFLICT (key) DO NOTHING`,
  );
  return rows[0]!;
}

/** POST /api/admin/setup: the first admin, only with the one-time token printed at first start. */
export async function setupFirstAdmin(
  pool: Pool,
  sessions: SessionService,
  input: { token: string; email: string; password: string },
  client: ClientInfo,
): Promise<{ user: PublicUser; session: Session }> {
  assertPasswordPolicy(input.password);
  return withTransaction(pool, async (db) => {
    const { rows } = await db.query<{ value: string }>(
      'SELECT value FROM hearth.secrets WHERE name = $1 FOR UPDATE',
      [secretNames.setupToken],
    );
    const expected = rows[0]?.value;
    if (expected === undefined) throw new HearthError('admin/setup-complete');
    if (!constantTimeEqual(expected, input.token)) throw new HearthError('admin/invalid-setup-token');
    const user = await createAdminUser(db, input);
    return { user: toPublicUser(user), session: await sessions.create(db, user, ['pwd'], client) };
  });
}
