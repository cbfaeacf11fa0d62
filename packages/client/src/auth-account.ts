import { invalidAnswer, isObjectBody, userFromBody, userFromServer } from './auth-responses.js';
import type { AuthSession } from './auth-session.js';
import type {
  ChangePasswordParams,
  EmailLinkOptions,
  ReauthenticateParams,
  SessionInfo,
  UpdateUserParams,
  UpdateUserResult,
  User,
} from './auth-types.js';
import { readJwtClaims } from './jwt-claims.js';

/** The signed-in user's account: profile, password, email confirmation and sessions (`/api/auth/me`, …). */
export class AccountEndpoints {
  constructor(private readonly session: AuthSession) {}

  async getUser(): Promise<User | null> {
    await this.session.ready;
    if (this.session.current() === null) return null;
    const user = userFromBody(await this.session.call('GET', '/me'));
    await this.session.replaceUser(user);
    return user;
  }

  async updateUser(changes: UpdateUserParams, options: EmailLinkOptions): Promise<UpdateUserResult> {
    const body = await this.session.call('PATCH', '/me', { body: { ...changes, ...redirectOf(options) } });
    await this.session.adoptSessionIn(body);
    const user = userFromBody(body);
    await this.session.replaceUser(user);
    const pending = isObjectBody(body) && body['emailChangePending'] === true;
    return { user, emailChangePending: pending };
  }

  async reauthenticate(params: ReauthenticateParams): Promise<void> {
    await this.session.call('POST', '/reauthenticate', { body: params });
  }

  async deleteAccount(reauthenticate: ReauthenticateParams | undefined): Promise<void> {
    if (reauthenticate !== undefined) await this.reauthenticate(reauthenticate);
    await this.session.call('DELETE', '/me');
    await this.session.forget();
  }

  async changePassword(params: ChangePasswordParams): Promise<void> {
    await this.session.adoptSessionIn(await this.session.call('POST', '/password/change', { body: params }));
  }

  async requestPasswordReset(email: string, options: EmailLinkOptions): Promise<void> {
    await this.session.call('POST', '/password/forgot', {
      body: { email, ...redirectOf(options) },
      auth: 'none',
    });
  }

  async resetPassword(params: { token: string; password: string }): Promise<void> {
    await this.session.call('POST', '/password/reset', { body: params, auth: 'none' });
  }

  async verifyEmail(token: string): Promise<void> {
    const body = await this.session.call('POST', '/email/verify', { body: { token }, auth: 'none' });
    const signedIn = this.session.current();
    if (signedIn !== null && isObjectBody(body) && isObjectBody(body['user'])) {
      const user = userFromServer(body['user']);
      if (user.id === signedIn.user.id) await this.session.replaceUser(user);
    }
  }

  async resendVerification(email: string | undefined, options: EmailLinkOptions): Promise<void> {
    await this.session.ready;
    const redirect = redirectOf(options);
    if (this.session.current() !== null)
      await this.session.call('POST', '/email/verify/resend', { body: redirect });
    else
      await this.session.call('POST', '/email/verify/resend', { body: { email, ...redirect }, auth: 'none' });
  }

  async listSessions(): Promise<SessionInfo[]> {
    const body = await this.session.call('GET', '/sessions');
    const list = Array.isArray(body)
      ? body
      : isObjectBody(body)
        ? (body['items'] ?? body['sessions'])
        : undefined;
    if (!Array.isArray(list)) throw invalidAnswer('session list');
    return list as SessionInfo[];
  }

  async revokeSession(id: string): Promise<void> {
    await this.session.call('DELETE', `/sessions/${encodeURIComponent(id)}`);
    const current = this.session.current()?.session;
    if (current !== undefined && readJwtClaims(current.accessToken)?.['sid'] === id)
      await this.session.forget();
  }
}

/** `{redirectTo}` when one was given, else nothing (the server then links to the dashboard pages). */
function redirectOf(options: EmailLinkOptions): { redirectTo?: string } {
  return options.redirectTo === undefined ? {} : { redirectTo: options.redirectTo };
}
