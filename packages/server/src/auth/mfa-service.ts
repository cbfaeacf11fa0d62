import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { withTransaction } from '../db/transaction.js';
import { HearthError } from '../errors/index.js';
import { secretContext } from '../secrets/encrypted-columns.js';
import type { AuthDeps } from './auth-deps.js';
import { hashToken, newOpaqueToken } from '../lib/opaque-tokens.js';
import type { UserPrincipal } from './principal.js';
import { requireRecentAuth } from './recent-auth.js';
import type { ClientInfo, Session } from './sessions.js';
import { findUserById, toPublicUser, type Db, type PublicUser, type UserRow } from './users.js';

const TICKET_SECONDS = 300;
const TICKET_ATTEMPTS = 5;
const RECOVERY_CODE_COUNT = 10;
export const MFA_METHODS = ['totp', 'recovery'];

function totpFor(secret: string, label: string): TOTP {
  return new TOTP({
    issuer: 'Hearth',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  });
}

/** Recovery codes are compared without case or dashes. */
function hashRecoveryCode(code: string): Buffer {
  return createHash('sha256')
    .update(code.toLowerCase().replace(/[^a-z0-9]/g, ''))
    .digest();
}

function newRecoveryCode(): string {
  const raw = randomBytes(8).toString('hex'); // 64 bits
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}-${raw.slice(12)}`;
}

/**
 * TOTP second factor: enrolment, confirmation, the login challenge (a
 * single-use ticket from login, redeemed with a code at mfa/verify), and
 * single-use recovery codes. A TOTP code is accepted once: the step it
 * belongs to is remembered.
 */
export class MfaService {
  constructor(private readonly deps: AuthDeps) {}

  async createTicket(user: UserRow, firstFactor: string): Promise<{ ticket: string; methods: string[] }> {
    const ticket = newOpaqueToken();
    await this.deps.pool.query(
      `INSERT INTO hearth.mfa_tickets (ticket_hash, user_id, methods, first_factor, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
      [hashToken(ticket), user.id, MFA_METHODS, firstFactor, TICKET_SECONDS],
    );
    return { ticket, methods: MFA_METHODS };
  }

  /**
   * Starts an enrolment. With a factor already on, replacing it needs a
   * current TOTP or recovery code (`code`): recent authentication alone is a
   * password, and a password must not be enough to swap the second factor.
   * The check and the write happen under the user's row lock, so an
   * enrolment cannot slip in while another one is being confirmed.
   */
  async enroll(principal: UserPrincipal, code?: string): Promise<{ secret: string; uri: string }> {
    const { pool, sessions } = this.deps;
    await requireRecentAuth(sessions, principal);
    return withTransaction(pool, async (db) => {
      const user = await findUserById(db, principal.user.id, true);
      if (!user) throw new HearthError('auth/session-revoked');
      if (user.totpSecret) await this.requireCurrentFactor(db, user, code);
      const secret = new Secret({ size: 20 }).base32;
      await db.query('UPDATE hearth.users SET "totpPendingSecret" = $2 WHERE id = $1', [
        user.id,
        this.deps.fieldCipher.seal(secret, secretContext.totpPendingSecret(user.id)),
      ]);
      return { secret, uri: totpFor(secret, user.email ?? user.id).toString() };
    });
  }

  /**
   * Spends a current TOTP or recovery code of an enrolled user, for a change
   * to the factor itself: 403 auth/mfa-code-required without one, 401
   * auth/invalid-mfa-code for a wrong one (counted against mfa:user).
   */
  private async requireCurrentFactor(db: Db, user: UserRow, code: string | undefined): Promise<void> {
    if (code === undefined) throw new HearthError('auth/mfa-code-required');
    await this.deps.limits.consume('mfa:user', user.id);
    if (!(await this.checkCode(user, code, db))) throw new HearthError('auth/invalid-mfa-code');
  }

  async confirm(
    principal: UserPrincipal,
    code: string,
  ): Promise<{ user: PublicUser; recoveryCodes: string[] }> {
    const { pool, sessions } = this.deps;
    await requireRecentAuth(sessions, principal);
    await this.deps.limits.consume('mfa:user', principal.user.id);
    return withTransaction(pool, async (db) => {
      const user = await findUserById(db, principal.user.id, true);
      if (!user?.totpPendingSecret) {
        throw new HearthError('validation/failed', 'Start with POST /api/auth/mfa/totp/enroll.', {
          details: { fields: [{ path: 'code', message: 'no TOTP enrolment in progress' }] },
        });
      }
      const { fieldCipher } = this.deps;
      const secret = fieldCipher.open(user.totpPendingSecret, secretContext.totpPendingSecret(user.id));
      // A new secret has used no steps yet: the remembered step belongs to the factor it replaces.
      const step = this.matchTotp(secret, { ...user, totpLastStep: null }, code);
      if (step === undefined) throw new HearthError('auth/invalid-mfa-code');
      // Sealed afresh: a value is bound to its column, so the pending ciphertext cannot be moved over.
      const { rows } = await db.query<UserRow>(
        `UPDATE hearth.users SET "totpSecret" = $3, "totpPendingSecret" = NULL,
           "totpLastStep" = $2, "updatedAt" = now() WHERE id = $1 RETURNING *`,
        [user.id, step, fieldCipher.seal(secret, secretContext.totpSecret(user.id))],
      );
      const recoveryCodes = await this.replaceRecoveryCodes(db, user.id);
      await sessions.markReauthenticated(db, principal.sessionId, 'otp');
      return { user: toPublicUser(rows[0]!), recoveryCodes };
    });
  }

  /** Turns MFA off; needs a current TOTP or recovery code. */
  async disable(principal: UserPrincipal, code: string): Promise<{ user: PublicUser }> {
    const { pool, sessions } = this.deps;
    await requireRecentAuth(sessions, principal);
    return withTransaction(pool, async (db) => {
      const user = await findUserById(db, principal.user.id, true);
      if (!user?.totpSecret) throw new HearthError('auth/invalid-mfa-code', 'MFA is not enabled.');
      await this.requireCurrentFactor(db, user, code);
      const { rows } = await db.query<UserRow>(
        `UPDATE hearth.users SET "totpSecret" = NULL, "totpPendingSecret" = NULL, "totpLastStep" = NULL, "updatedAt" = now()
         WHERE id = $1 RETURNING *`,
        [user.id],
      );
      await db.query('DELETE FROM hearth.mfa_recovery_codes WHERE user_id = $1', [user.id]);
      return { user: toPublicUser(rows[0]!) };
    });
  }

  /** New recovery codes replace the old ones: a change to the factor, so it needs a current code too. */
  async regenerateRecoveryCodes(
    principal: UserPrincipal,
    code?: string,
  ): Promise<{ recoveryCodes: string[] }> {
    const { pool, sessions } = this.deps;
    await requireRecentAuth(sessions, principal);
    return withTransaction(pool, async (db) => {
      const user = await findUserById(db, principal.user.id, true);
      if (!user?.totpSecret) throw new HearthError('auth/invalid-mfa-code', 'MFA is not enabled.');
      await this.requireCurrentFactor(db, user, code);
      return { recoveryCodes: await this.replaceRecoveryCodes(db, user.id) };
    });
  }

  private async replaceRecoveryCodes(db: Db, userId: string): Promise<string[]> {
    await db.query('DELETE FROM hearth.mfa_recovery_codes WHERE user_id = $1', [userId]);
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    for (const code of codes) {
      await db.query('INSERT INTO hearth.mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)', [
        userId,
        hashRecoveryCode(code),
      ]);
    }
    return codes;
  }

  /** The TOTP step a code matches (±1 step of clock drift), unless already used. */
  private matchTotp(secret: string, user: UserRow, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const totp = totpFor(secret, user.email ?? user.id);
    const delta = totp.validate({ token: code, window: 1 });
    if (delta === null) return undefined;
    const step = totp.counter() + delta;
    if (user.totpLastStep !== null && step <= Number(user.totpLastStep)) return undefined;
    return step;
  }

  /**
   * Checks and spends a TOTP or recovery code of an enrolled user. Run inside
   * a transaction holding the user row when called from verify.
   */
  async checkCode(user: UserRow, code: string, db: Db = this.deps.pool): Promise<boolean> {
    if (!user.totpSecret) return false;
    const trimmed = code.trim();
    const secret = this.deps.fieldCipher.open(user.totpSecret, secretContext.totpSecret(user.id));
    const step = this.matchTotp(secret, user, trimmed);
    if (step !== undefined) {
      const { rowCount } = await db.query(
        `UPDATE hearth.users SET "totpLastStep" = $2 WHERE id = $1 AND ("totpLastStep" IS NULL OR "totpLastStep" < $2)`,
        [user.id, step],
      );
      return (rowCount ?? 0) > 0;
    }
    const { rowCount } = await db.query(
      `UPDATE hearth.mfa_recovery_codes SET used_at = now()
       WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`,
      [user.id, hashRecoveryCode(trimmed)],
    );
    return (rowCount ?? 0) > 0;
  }

  /** Redeems a login ticket with a code; five wrong codes burn the ticket. */
  async verify(
    input: { ticket: string; code: string },
    client: ClientInfo,
  ): Promise<{ user: PublicUser; session: Session }> {
    const { pool, limits, sessions } = this.deps;
    await limits.consume('mfa:ip', client.ip);
    const outcome = await withTransaction(pool, async (db) => {
      const { rows } = await db.query<{ user_id: string; first_factor: string; attempts: number }>(
        `SELECT user_id, first_factor, attempts FROM hearth.mfa_tickets
         WHERE ticket_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE`,
        [hashToken(input.ticket)],
      );
      const ticket = rows[0];
      if (!ticket) return { error: 'auth/invalid-token' as const };
      await limits.consume('mfa:user', ticket.user_id);
      const user = await findUserById(db, ticket.user_id, true);
      if (!user || user.disabled) return { error: 'auth/invalid-token' as const };
      if (!(await this.checkCode(user, input.code, db))) {
        const spent = ticket.attempts + 1 >= TICKET_ATTEMPTS;
        await db.query(
          `UPDATE hearth.mfa_tickets SET attempts = attempts + 1, used_at = CASE WHEN $2 THEN now() ELSE NULL END
           WHERE ticket_hash = $1`,
          [hashToken(input.ticket), spent],
        );
        return { error: 'auth/invalid-mfa-code' as const };
      }
      await db.query('UPDATE hearth.mfa_tickets SET used_at = now() WHERE ticket_hash = $1', [
        hashToken(input.ticket),
      ]);
      const session = await sessions.create(db, user, [ticket.first_factor, 'otp'], client);
      return { user: toPublicUser(user), session };
    });
    if ('error' in outcome) throw new HearthError(outcome.error);
    await limits.refund('mfa:user', outcome.user.id);
    return outcome;
  }
}
