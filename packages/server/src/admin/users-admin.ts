import type { Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createdAtCursors } from '../lib/keyset-cursor.js';
import { insertUser } from '../auth/account-service.js';
import { hashPassword } from '../auth/password-hashing.js';
import { assertPasswordPolicy } from '../auth/password-policy.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { SessionService } from '../auth/sessions.js';
import { normalizeEmail, toPublicUser, type PublicUser, type UserRow } from '../auth/users.js';

export interface ListUsersInput {
  search?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The admin view of users: list and search, create, disable, verify, change role, revoke sessions. */
export class UsersAdminService {
  constructor(
    private readonly pool: Pool,
    private readonly sessions: SessionService,
    private readonly loginThrottle: LoginThrottle,
  ) {}

  async list(input: ListUsersInput): Promise<{ items: PublicUser[]; nextCursor: string | null }> {
    const after = input.cursor ? createdAtCursors.decode(input.cursor, 'users', 1) : null;
    const pattern = input.search
      ? `%${input.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
      : null;
    const { rows } = await this.pool.query<UserRow & { created_at_exact: string }>(
      `SELECT *, to_json("createdAt") #>> '{}' AS created_at_exact FROM hearth.users
       WHERE ($1::text IS NULL OR email LIKE $1 OR id::text = $4)
         AND ($2::timestamptz IS NULL OR ("createdAt", id) > ($2::timestamptz, $3::uuid))
       ORDER BY "createdAt", id LIMIT $5`,
      [pattern, after?.keys[0] ?? null, after?.id ?? null, input.search ?? null, input.limit + 1],
    );
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > input.limit && last
        ? createdAtCursors.encode('users', { keys: [last.created_at_exact], id: last.id })
        : null;
    return { items: page.map(toPublicUser), nextCursor };
  }

  async get(id: string): Promise<PublicUser> {
    const { rows } = await this.pool.query<UserRow>('SELECT * FROM hearth.users WHERE id = $1', [id]);
    if (!rows[0]) throw new HearthError('admin/not-found', 'No such user.');
    return toPublicUser(rows[0]);
  }

  async create(input: {
    email: string;
    password?: string | undefined;
    role?: 'user' | 'admin' | undefined;
    emailVerified?: boolean | undefined;
  }): Promise<PublicUser> {
    if (input.password !== undefined) assertPasswordPolicy(input.password);
    const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
    const user = await insertUser(this.pool, {
      email: normalizeEmail(input.email),
      passwordHash,
      role: input.role ?? 'user',
      emailVerified: input.emailVerified ?? false,
    });
    if (!user) throw new HearthError('auth/email-taken');
    return toPublicUser(user);
  }

  /** Disabling a user also ends every session it has. */
  async update(
    id: string,
    input: {
      disabled?: boolean | undefined;
      emailVerified?: boolean | undefined;
      role?: 'user' | 'admin' | undefined;
    },
  ): Promise<PublicUser> {
    const { rows } = await this.pool.query<UserRow>(
      `UPDATE hearth.users SET
         disabled = COALESCE($2, disabled),
         "emailVerified" = COALESCE($3, "emailVerified"),
         role = COALESCE($4, role),
         "updatedAt" = now()
       WHERE id = $1 RETURNING *`,
      [id, input.disabled ?? null, input.emailVerified ?? null, input.role ?? null],
    );
    const user = rows[0];
    if (!user) throw new HearthError('admin/not-found', 'No such user.');
    if (input.disabled === true) await this.sessions.revokeAll(this.pool, id, 'user-disabled');
    if (input.role !== undefined) this.sessions.forgetCached(id);
    return toPublicUser(user);
  }

  async revokeSessions(id: string): Promise<{ revoked: number }> {
    await this.get(id);
    return { revoked: await this.sessions.revokeAll(this.pool, id, 'revoked-by-admin') };
  }

  /**
   * Lifts every login limit on the account (per client and the account-wide
   * backstop, on every node), so its owner can sign in at once.
   */
  async unlock(id: string): Promise<PublicUser> {
    const user = await this.get(id);
    if (user.email) await this.loginThrottle.unlock(user.email);
    return user;
  }
}
