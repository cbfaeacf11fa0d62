import type { Pool, PoolClient } from '../db/pool.js';
import type { AuthUser } from './principal.js';

export type Db = Pool | PoolClient;

/** A row of hearth.users, private columns included. Never sent as is. */
export interface UserRow {
  id: string;
  email: string | null;
  emailVerified: boolean;
  role: 'user' | 'admin';
  anonymous: boolean;
  disabled: boolean;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  passwordHash: string | null;
  passwordChangedAt: Date | null;
  /** Sealed with AuthDeps.fieldCipher: encrypted text, or plaintext when no key is configured. */
  totpSecret: string | null;
  /** Sealed like totpSecret, under its own context. */
  totpPendingSecret: string | null;
  totpLastStep: string | null;
}

/** A user as the API returns it: the public columns of the users collection. */
export interface PublicUser {
  id: string;
  email: string | null;
  emailVerified: boolean;
  role: 'user' | 'admin';
  anonymous: boolean;
  disabled: boolean;
  mfaEnabled: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerified,
    role: row.role,
    anonymous: row.anonymous,
    disabled: row.disabled,
    mfaEnabled: row.totpSecret !== null,
    metadata: row.metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toAuthUser(
  row: Pick<UserRow, 'id' | 'email' | 'role' | 'emailVerified' | 'anonymous'>,
): AuthUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    emailVerified: row.emailVerified,
    anonymous: row.anonymous,
  };
}

/** Emails are compared and stored lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The columns of UserRow, named: admins can add fields to the users
 * collection, and a prepared `SELECT *` would fail once its result changed.
 */
export const USER_COLUMNS = `id, email, "emailVerified", role, anonymous, disabled, metadata, "createdAt", "updatedAt",
  "passwordHash", "passwordChangedAt", "totpSecret", "totpPendingSecret", "totpLastStep"`;

export async function findUserById(db: Db, id: string, forUpdate = false): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    forUpdate
      ? { text: `SELECT ${USER_COLUMNS} FROM hearth.users WHERE id = $1 FOR UPDATE`, values: [id] }
      : {
          name: 'hearth.user-by-id',
          text: `SELECT ${USER_COLUMNS} FROM hearth.users WHERE id = $1`,
          values: [id],
        },
  );
  return rows[0];
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>({
    name: 'hearth.user-by-email',
    text: `SELECT ${USER_COLUMNS} FROM hearth.users WHERE email = $1`,
    values: [normalizeEmail(email)],
  });
  return rows[0];
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string })?.code === '23505';
}
