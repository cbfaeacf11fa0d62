import { invalidAnswer, isObjectBody, signedInFrom, userFromServer } from './auth-responses.js';
import type { AuthSession } from './auth-session.js';
import type { Session, TotpEnrollment, User } from './auth-types.js';

/** The second factor: the sign-in step and TOTP enrolment (`/api/auth/mfa`). */
export class MfaEndpoints {
  constructor(private readonly session: AuthSession) {}

  async verify(params: { ticket: string; code: string }): Promise<{ user: User; session: Session }> {
    await this.session.ready;
    const result = signedInFrom(
      await this.session.call('POST', '/mfa/verify', { body: params, auth: 'none' }),
    );
    await this.session.adopt(result, 'SIGNED_IN');
    return result;
  }

  async enrollTotp(currentCode?: string): Promise<TotpEnrollment> {
    const body = await this.session.call(
      'POST',
      '/mfa/totp/enroll',
      currentCode === undefined ? {} : { body: { code: currentCode } },
    );
    if (!isObjectBody(body) || typeof body['secret'] !== 'string' || typeof body['uri'] !== 'string') {
      throw invalidAnswer('TOTP enrolment');
    }
    return { secret: body['secret'], uri: body['uri'] };
  }

  async confirmTotp(code: string): Promise<{ recoveryCodes: string[] }> {
    const body = await this.session.call('POST', '/mfa/totp/confirm', { body: { code } });
    return { recoveryCodes: await this.recoveryCodesIn(body) };
  }

  async disableTotp(code: string): Promise<void> {
    await this.takeUserFrom(await this.session.call('POST', '/mfa/totp/disable', { body: { code } }));
  }

  async regenerateRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }> {
    const body = await this.session.call('POST', '/mfa/recovery-codes', { body: { code } });
    return { recoveryCodes: await this.recoveryCodesIn(body) };
  }

  /** The codes of an answer `{recoveryCodes, user?}`, keeping the user it carries. */
  private async recoveryCodesIn(body: unknown): Promise<string[]> {
    if (!isObjectBody(body) || !Array.isArray(body['recoveryCodes'])) throw invalidAnswer('recovery codes');
    await this.takeUserFrom(body);
    return body['recoveryCodes'].filter((c): c is string => typeof c === 'string');
  }

  /** MFA changes the user (`mfaEnabled`): an answer that carries it updates the one kept. */
  private async takeUserFrom(body: unknown): Promise<void> {
    if (isObjectBody(body) && isObjectBody(body['user']))
      await this.session.replaceUser(userFromServer(body['user']));
  }
}
