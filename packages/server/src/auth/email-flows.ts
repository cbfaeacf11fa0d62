import { withTransaction } from '../db/transaction.js';
import { HearthError } from '../errors/index.js';
import { authMail } from '../mail/auth-mail.js';
import { sendInBackground, type MailMessage } from '../mail/mailer.js';
import type { AuthDeps } from './auth-deps.js';
import { consumeEmailToken, emailLink, issueEmailToken } from './email-tokens.js';
import { hashPassword } from './password-hashing.js';
import { assertPasswordPolicy } from './password-policy.js';
import { checkRedirect } from './redirect-allowlist.js';
import type { ClientInfo } from './sessions.js';
import {
  findUserByEmail,
  findUserById,
  isUniqueViolation,
  normalizeEmail,
  toPublicUser,
  type PublicUser,
  type UserRow,
} from './users.js';

/** The answer to forgot-password and resend-verification, whatever the address. */
export const acceptedAnswer = {
  message: 'If an account exists for this address, a link is on its way.',
} as const;

/**
 * Flows driven by links in mail: email verification, password reset and
 * email change. Every token is single-use, expires, and is bound to the
 * address it was sent to.
 */
export class EmailFlowService {
  constructor(private readonly deps: AuthDeps) {}

  /** Mails a password-reset link; 202 whatever the address (see mailLinkToAddress). */
  forgotPassword(
    emailInput: string,
    client: ClientInfo,
    redirectInput?: string,
  ): Promise<typeof acceptedAnswer> {
    return this.mailLinkToAddress(emailInput, client, redirectInput, {
      purpose: 'reset-password',
      wanted: () => true,
      compose: authMail.resetPassword,
    });
  }

  /** Mails a fresh verification link unless the address is already confirmed; 202 whatever the address. */
  resendVerification(
    emailInput: string,
    client: ClientInfo,
    redirectInput?: string,
  ): Promise<typeof acceptedAnswer> {
    return this.mailLinkToAddress(emailInput, client, redirectInput, {
      purpose: 'verify-email',
      wanted: (user) => !user.emailVerified,
      compose: authMail.verifyEmail,
    });
  }

  /**
   * Mails a link to an address someone typed, answering 202 whatever the
   * address: the lookup, the token and the mail all happen after the answer,
   * so neither the body nor the timing says if it exists. A redirectTo is
   * checked first of all, so its refusal says nothing either; both flows
   * share one per-IP and one per-address limit. A disabled account, or one
   * `wanted` turns down, gets nothing.
   */
  private async mailLinkToAddress(
    emailInput: string,
    client: ClientInfo,
    redirectInput: string | undefined,
    link: {
      purpose: 'reset-password' | 'verify-email';
      wanted: (user: UserRow) => boolean;
      compose: (to: string, url: string) => MailMessage;
    },
  ): Promise<typeof acceptedAnswer> {
    const { pool, limits, mailer, logger } = this.deps;
    const redirectTo = checkRedirect(redirectInput, this.deps);
    const email = normalizeEmail(emailInput);
    await limits.consumeAll([
      ['forgot:ip', client.ip],
      ['forgot:account', email],
    ]);
    sendInBackground(mailer, logger, async () => {
      const user = await findUserByEmail(pool, email);
      if (!user || user.disabled || !link.wanted(user)) return undefined;
      const token = await issueEmailToken(pool, user.id, link.purpose, email);
      return link.compose(email, emailLink(this.deps.publicUrl(), link.purpose, token, redirectTo));
    });
    return acceptedAnswer;
  }

  /** Sends a fresh verification link to the signed-in user's own address. */
  async sendVerification(userId: string, redirectInput?: string): Promise<void> {
    const { pool, limits, mailer, logger } = this.deps;
    const redirectTo = checkRedirect(redirectInput, this.deps);
    await limits.consume('mail:user', userId);
    sendInBackground(mailer, logger, async () => {
      const user = await findUserById(pool, userId);
      if (!user?.email || user.emailVerified) return undefined;
      const token = await issueEmailToken(pool, user.id, 'verify-email', user.email);
      return authMail.verifyEmail(
        user.email,
        emailLink(this.deps.publicUrl(), 'verify-email', token, redirectTo),
      );
    });
  }

  /**
   * Sets a new password with a reset token. The token is consumed by a
   * single conditional UPDATE, so of concurrent uses exactly one wins; it is
   * void once the account's email has changed. Every session ends.
   */
  async resetPassword(
    input: { token: string; password: string },
    client: ClientInfo,
  ): Promise<{ user: PublicUser }> {
    const { pool, limits, sessions } = this.deps;
    await limits.consume('link:ip', client.ip);
    // Check the password before spending the token, so a weak choice can be retried.
    assertPasswordPolicy(input.password);
    const passwordHash = await hashPassword(input.password);
    const user = await withTransaction(pool, async (db) => {
      const token = await consumeEmailToken(db, input.token, ['reset-password']);
      if (!token) return undefined;
      const { rows } = await db.query<UserRow>(
        `UPDATE hearth.users SET "passwordHash" = $2, "passwordChangedAt" = now(), "emailVerified" = true, "updatedAt" = now()
         WHERE id = $1 AND email = $3 AND NOT disabled RETURNING *`,
        [token.userId, passwordHash, token.email],
      );
      const updated = rows[0];
      if (!updated) return undefined;
      await db.query("DELETE FROM hearth.email_tokens WHERE user_id = $1 AND purpose = 'reset-password'", [
        updated.id,
      ]);
      await sessions.revokeAll(db, updated.id, 'password-reset');
      return updated;
    });
    if (!user) throw new HearthError('auth/link-invalid');
    sessions.forgetCached(user.id);
    return { user: toPublicUser(user) };
  }

  /**
   * Confirms an address: a verification link marks the account's email
   * verified; an email-change link moves the account to the new address (and
   * ends an anonymous user's anonymity). An email change voids pending reset
   * and verification links for the old address.
   */
  async verifyEmail(tokenValue: string, client: ClientInfo): Promise<{ user: PublicUser }> {
    const { pool, limits, sessions } = this.deps;
    await limits.consume('link:ip', client.ip);
    const user = await withTransaction(pool, async (db) => {
      const token = await consumeEmailToken(db, tokenValue, ['verify-email', 'change-email']);
      if (!token) return undefined;
      if (token.purpose === 'verify-email') {
        const { rows } = await db.query<UserRow>(
          `UPDATE hearth.users SET "emailVerified" = true, "updatedAt" = now()
           WHERE id = $1 AND email = $2 RETURNING *`,
          [token.userId, token.email],
        );
        return rows[0];
      }
      try {
        const { rows } = await db.query<UserRow>(
          `UPDATE hearth.users SET email = $2, "emailVerified" = true, anonymous = false, "updatedAt" = now()
           WHERE id = $1 RETURNING *`,
          [token.userId, token.email],
        );
        await db.query(
          `DELETE FROM hearth.email_tokens WHERE user_id = $1 AND used_at IS NULL
             AND purpose IN ('reset-password', 'verify-email', 'change-email')`,
          [token.userId],
        );
        return rows[0];
      } catch (error) {
        if (isUniqueViolation(error)) throw new HearthError('auth/email-taken');
        throw error;
      }
    });
    if (!user) throw new HearthError('auth/link-invalid');
    sessions.forgetCached(user.id);
    return { user: toPublicUser(user) };
  }
}
