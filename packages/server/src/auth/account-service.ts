import { randomUUID } from 'node:crypto';
import { withTransaction } from '../db/transaction.js';
import { HearthError } from '../errors/index.js';
import { authMail } from '../mail/auth-mail.js';
import { sendInBackground } from '../mail/mailer.js';
import type { AuthDeps } from './auth-deps.js';
import { accountExistsLink, emailLink, issueEmailToken } from './email-tokens.js';
import type { MfaService } from './mfa-service.js';
import { hashPassword, needsRehash, verifyPassword } from './password-hashing.js';
import { assertPasswordPolicy } from './password-policy.js';
import { assertMetadataSize } from './request-schemas.js';
import type { UserPrincipal } from './principal.js';
import { requireRecentAuth } from './recent-auth.js';
import { checkRedirect } from './redirect-allowlist.js';
import type { ClientInfo, Session } from './sessions.js';
import {
  findUserByEmail,
  findUserById,
  normalizeEmail,
  toPublicUser,
  type Db,
  type PublicUser,
  type UserRow,
} from './users.js';

export type SignInResult =
  { user: PublicUser; session: Session } | { mfa: { ticket: string; methods: string[] } };

export interface SignupInput {
  email: string;
  password: string;
  data?: Record<string, unknown> | undefined;
  /** Where the confirmation link points instead of the dashboard page; must pass checkRedirect. */
  redirectTo?: string | undefined;
}

export interface PatchMeInput {
  metadata?: Record<string, unknown> | undefined;
  email?: string | undefined;
  password?: string | undefined;
  /** Where the link confirming a new email points; must pass checkRedirect. */
  redirectTo?: string | undefined;
}

/**
 * Accounts: sign-up, login, anonymous sign-in and its upgrade, the user's own
 * profile, password change and re-authentication.
 */
export class AccountService {
  constructor(
    private readonly deps: AuthDeps,
    private readonly mfa: MfaService,
  ) {}

  /** Issues a verification token and queues its mail, in the caller's transaction. */
  private async queueVerifyLink(db: Db, userId: string, email: string, redirectTo: URL | null) {
    const token = await issueEmailToken(db, userId, 'verify-email', email);
    await this.deps.mailer.queue(
      db,
      authMail.verifyEmail(email, emailLink(this.deps.publicUrl(), 'verify-email', token, redirectTo)),
    );
  }

  /**
   * With email confirmation on (the default), new and registered addresses get
   * the same 201 {user, session: null}: a new account gets a confirmation
   * link, a registered address a notice. Both paths hash a password and then
   * commit one transaction that queues one mail, so they also take the same
   * time (a commit waits for the disk, which on a busy machine alone would
   * tell them apart). A redirectTo is checked before anything else, so a
   * refused one says nothing about the address either. Sign-ups for one
   * address are limited (signup:account) whether or not it is registered, so
   * nobody can mail its owner over and over.
   */
  async signup(
    input: SignupInput,
    client: ClientInfo,
  ): Promise<{ user: PublicUser; session: Session | null }> {
    const { pool, limits, config, sessions, mailer } = this.deps;
    const redirectTo = checkRedirect(input.redirectTo, this.deps);
    await limits.consume('signup:ip', client.ip);
    assertPasswordPolicy(input.password);
    const email = normalizeEmail(input.email);
    // Counted for every address, before anything says whether it is registered, so the
    // limit on "you already have an account" mails is the same 429 for a new address.
    await limits.consume('signup:account', email);
    const metadata = input.data ?? {};
    const passwordHash = await hashPassword(input.password);

    if (!config.authConfirmEmail) {
      const created = await withTransaction(pool, async (db) => {
        const user = await insertUser(db, { email, passwordHash, metadata });
        if (!user) throw new HearthError('auth/email-taken');
        await this.queueVerifyLink(db, user.id, email, redirectTo);
        return { user, session: await sessions.create(db, user, ['pwd'], client) };
      });
      mailer.wake();
      return { user: toPublicUser(created.user), session: created.session };
    }

    const user = await withTransaction(pool, async (db) => {
      const created = await insertUser(db, { email, passwordHash, metadata });
      if (created) await this.queueVerifyLink(db, created.id, email, redirectTo);
      else
        await mailer.queue(
          db,
          authMail.accountExists(email, accountExistsLink(this.deps.publicUrl(), redirectTo)),
        );
      return created;
    });
    mailer.wake();
    if (user) return { user: toPublicUser(user), session: null };
    const now = new Date().toISOString();
    // Indistinguishable from a new account: fresh id, now, the submitted data.
    const lookalike: PublicUser = {
      id: randomUUID(),
      email,
      emailVerified: false,
      role: 'user',
      anonymous: false,
      disabled: false,
      mfaEnabled: false,
      metadata,
      createdAt: now,
      updatedAt: now,
    };
    return { user: lookalike, session: null };
  }

  /**
   * Unknown email and wrong password give the same 401 after the same argon2
   * work. Attempts count against the client, the account from that client,
   * and the account-wide backstop before the password is checked
   * (login-throttle.ts); a success gives them back.
   */
  async login(input: { email: string; password: string }, client: ClientInfo): Promise<SignInResult> {
    const { pool, loginThrottle, config, sessions } = this.deps;
    const email = normalizeEmail(input.email);
    await loginThrottle.attempt(email, client.ip);
    const user = await findUserByEmail(pool, email);
    const ok = await verifyPassword(user?.passwordHash, input.password);
    if (!ok || !user) throw new HearthError('auth/invalid-credentials');
    await loginThrottle.succeeded(email, client.ip);
    if (user.disabled) throw new HearthError('auth/user-disabled');
    if (config.authConfirmEmail && !user.emailVerified && user.role !== 'admin') {
      throw new HearthError('auth/email-not-verified');
    }
    if (user.passwordHash && needsRehash(user.passwordHash)) {
      const rehashed = await hashPassword(input.password);
      await pool.query('UPDATE hearth.users SET "passwordHash" = $2 WHERE id = $1', [user.id, rehashed]);
    }
    if (user.totpSecret) return { mfa: await this.mfa.createTicket(user, 'pwd') };
    return { user: toPublicUser(user), session: await sessions.create(pool, user, ['pwd'], client) };
  }

  async anonymous(
    client: ClientInfo,
    data?: Record<string, unknown>,
  ): Promise<{ user: PublicUser; session: Session }> {
    const { pool, limits, sessions } = this.deps;
    await limits.consume('anonymous:ip', client.ip);
    return withTransaction(pool, async (db) => {
      const { rows } = await db.query<UserRow>(
        'INSERT INTO hearth.users (anonymous, metadata) VALUES (true, $1) RETURNING *',
        [data ?? {}],
      );
      const user = rows[0]!;
      return { user: toPublicUser(user), session: await sessions.create(db, user, ['anon'], client) };
    });
  }

  async me(principal: UserPrincipal): Promise<PublicUser> {
    const user = await findUserById(this.deps.pool, principal.user.id);
    if (!user) throw new HearthError('auth/session-revoked');
    return toPublicUser(user);
  }

  /**
   * Updates the caller's metadata; `email` starts a change confirmed by a link
   * to the new address (this is also how an anonymous user upgrades);
   * `password` sets a first password on an account that has none.
   */
  async patchMe(
    principal: UserPrincipal,
    input: PatchMeInput,
  ): Promise<{ user: PublicUser; emailChangePending?: true }> {
    const { pool, sessions, limits, mailer, logger } = this.deps;
    const redirectTo = checkRedirect(input.redirectTo, this.deps);
    const current = await findUserById(pool, principal.user.id);
    if (!current) throw new HearthError('auth/session-revoked');
    if (input.email !== undefined || input.password !== undefined)
      await requireRecentAuth(sessions, principal);
    if (input.password !== undefined) {
      if (current.passwordHash) {
        throw new HearthError(
          'validation/failed',
          'This account has a password; change it with POST /api/auth/password/change.',
          {
            details: { fields: [{ path: 'password', message: 'use /api/auth/password/change' }] },
          },
        );
      }
      assertPasswordPolicy(input.password);
    }
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    // The merge happens here, under the row lock, so the cap holds for what is stored,
    // however many requests it took to get there.
    const rows = await withTransaction(pool, async (db) => {
      const locked = await findUserById(db, current.id, true);
      if (!locked) throw new HearthError('auth/session-revoked');
      const metadata = input.metadata === undefined ? undefined : { ...locked.metadata, ...input.metadata };
      if (metadata !== undefined) assertMetadataSize(metadata);
      const updated = await db.query<UserRow>(
        `UPDATE hearth.users SET
           metadata = COALESCE($2::jsonb, metadata),
           "passwordHash" = COALESCE($3, "passwordHash"),
           "passwordChangedAt" = CASE WHEN $3::text IS NULL THEN "passwordChangedAt" ELSE now() END,
           "updatedAt" = now()
         WHERE id = $1 RETURNING *`,
        [current.id, metadata === undefined ? null : JSON.stringify(metadata), passwordHash ?? null],
      );
      return updated.rows;
    });
    const user = rows[0]!;
    let emailChangePending = false;
    const newEmail = input.email === undefined ? undefined : normalizeEmail(input.email);
    if (newEmail !== undefined && newEmail !== user.email) {
      await limits.consume('mail:user', user.id);
      emailChangePending = true;
      sendInBackground(mailer, logger, async () => {
        const taken = await findUserByEmail(pool, newEmail);
        if (taken) return undefined;
        const token = await issueEmailToken(pool, user.id, 'change-email', newEmail);
        return authMail.changeEmail(
          newEmail,
          emailLink(this.deps.publicUrl(), 'change-email', token, redirectTo),
        );
      });
    }
    return emailChangePending
      ? { user: toPublicUser(user), emailChangePending: true }
      : { user: toPublicUser(user) };
  }

  /**
   * Changes the password and ends every session, this one included; the
   * caller gets a fresh session back.
   */
  async changePassword(
    principal: UserPrincipal,
    input: { password: string; currentPassword?: string | undefined },
    client: ClientInfo,
  ): Promise<{ user: PublicUser; session: Session }> {
    const { pool, sessions, limits } = this.deps;
    const current = await findUserById(pool, principal.user.id);
    if (!current) throw new HearthError('auth/session-revoked');
    if (input.currentPassword !== undefined) {
      await limits.consume('reauth:user', current.id);
      if (!(await verifyPassword(current.passwordHash, input.currentPassword))) {
        throw new HearthError('auth/invalid-credentials', 'The current password is wrong.');
      }
    } else {
      await requireRecentAuth(sessions, principal);
    }
    assertPasswordPolicy(input.password);
    const passwordHash = await hashPassword(input.password);
    const result = await withTransaction(pool, async (db) => {
      const { rows } = await db.query<UserRow>(
        `UPDATE hearth.users SET "passwordHash" = $2, "passwordChangedAt" = now(), "updatedAt" = now()
         WHERE id = $1 RETURNING *`,
        [current.id, passwordHash],
      );
      const user = rows[0]!;
      await sessions.revokeAll(db, user.id, 'password-changed');
      await db.query("DELETE FROM hearth.email_tokens WHERE user_id = $1 AND purpose = 'reset-password'", [
        user.id,
      ]);
      const methods = user.anonymous ? ['anon', 'pwd'] : ['pwd'];
      return { user: toPublicUser(user), session: await sessions.create(db, user, methods, client) };
    });
    sessions.forgetCached(current.id);
    return result;
  }

  /** Presents the password (or an MFA code) again so that sensitive changes are allowed for a while. */
  async reauthenticate(
    principal: UserPrincipal,
    input: { password?: string | undefined; code?: string | undefined },
  ): Promise<void> {
    const { pool, sessions, limits } = this.deps;
    await limits.consume('reauth:user', principal.user.id);
    const user = await findUserById(pool, principal.user.id);
    if (!user) throw new HearthError('auth/session-revoked');
    let method: string;
    if (input.password !== undefined) {
      if (!(await verifyPassword(user.passwordHash, input.password)))
        throw new HearthError('auth/invalid-credentials');
      method = 'pwd';
    } else if (input.code !== undefined) {
      if (!(await this.mfa.checkCode(user, input.code))) throw new HearthError('auth/invalid-mfa-code');
      method = 'otp';
    } else {
      throw new HearthError('validation/failed', 'Send password or code.', {
        details: { fields: [{ path: 'password', message: 'password or code is required' }] },
      });
    }
    await limits.refund('reauth:user', principal.user.id);
    await sessions.markReauthenticated(pool, principal.sessionId, method);
  }
}

/** Creates a user; undefined when the address is taken (no error, so a transaction can go on). */
export async function insertUser(
  db: Db,
  values: {
    email: string;
    passwordHash: string | null;
    metadata?: Record<string, unknown>;
    role?: 'user' | 'admin';
    emailVerified?: boolean;
  },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO hearth.users (email, "passwordHash", "passwordChangedAt", metadata, role, "emailVerified")
     VALUES ($1, $2, CASE WHEN $2::text IS NULL THEN NULL ELSE now() END, $3, $4, $5)
     ON CONFLICT (email) DO NOTHING RETURNING *`,
    [
      values.email,
      values.passwordHash,
      values.metadata ?? {},
      values.role ?? 'user',
      values.emailVerified ?? false,
    ],
  );
  return rows[0];
}
