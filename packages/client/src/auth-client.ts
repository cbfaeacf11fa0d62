import { AccountEndpoints } from './auth-account.js';
import { MfaEndpoints } from './auth-mfa.js';
import { OAuthEndpoints } from './auth-oauth.js';
import {
  invalidAnswer,
  isObjectBody,
  sessionFromServer,
  sessionFromParams,
  signedInFrom,
  userFromServer,
} from './auth-responses.js';
import { AuthSession, type AuthClientOptions } from './auth-session.js';
import type {
  AuthChangeListener,
  ChangePasswordParams,
  EmailLinkOptions,
  Identity,
  OAuthProvider,
  OAuthSignInParams,
  ReauthenticateParams,
  Session,
  SessionInfo,
  SetSessionParams,
  SignInParams,
  SignInResult,
  SignOutOptions,
  SignUpParams,
  SignUpResult,
  TotpEnrollment,
  UpdateUserParams,
  UpdateUserResult,
  User,
} from './auth-types.js';
import type { AccessTokenSource } from './http-client.js';
import { isExpired } from './refresh-scheduler.js';

export type { AuthClientOptions } from './auth-session.js';

/**
 * `client.auth`: the signed-in user's session. Signs in and out, keeps the
 * session in storage, refreshes it ahead of expiry (once, however many
 * callers ask), and keeps tabs in step (the machinery is `AuthSession`). It
 * supplies the access token to the shared HttpClient, so every other
 * sub-client is authenticated through it. The account, MFA and OAuth calls
 * are endpoint groups over the same session.
 */
export class AuthClient implements AccessTokenSource {
  private readonly machinery: AuthSession;
  private readonly account: AccountEndpoints;
  private readonly mfa: MfaEndpoints;
  private readonly oauth: OAuthEndpoints;

  constructor(options: AuthClientOptions) {
    this.machinery = new AuthSession(options);
    this.account = new AccountEndpoints(this.machinery);
    this.mfa = new MfaEndpoints(this.machinery);
    this.oauth = new OAuthEndpoints(this.machinery);
  }

  // ---- state -----------------------------------------------------------------------

  /** The current session, or null. Synchronous: before the stored session has loaded it is null; see `getSession`. */
  session(): Session | null {
    return this.machinery.current()?.session ?? null;
  }

  /** The signed-in user as last seen, or null. */
  user(): User | null {
    return this.machinery.current()?.user ?? null;
  }

  /** The session once storage has loaded, refreshed first if it is about to expire. */
  getSession(): Promise<Session | null> {
    return this.machinery.getSession();
  }

  /** Fetches the user from the server (`GET /api/auth/me`); null when signed out. */
  getUser(): Promise<User | null> {
    return this.account.getUser();
  }

  /** Subscribes to SIGNED_IN, SIGNED_OUT, TOKEN_REFRESHED, USER_UPDATED and MFA_CHALLENGE; returns the unsubscribe. */
  onAuthStateChange(listener: AuthChangeListener): () => void {
    return this.machinery.events.subscribe(listener);
  }

  // ---- signing in and out ----------------------------------------------------------

  async signUp(params: SignUpParams): Promise<SignUpResult> {
    await this.machinery.ready;
    const body = await this.machinery.call('POST', '/signup', { body: params, auth: 'none' });
    if (!isObjectBody(body)) throw invalidAnswer('sign-up result');
    const user = userFromServer(body['user']);
    const rawSession = body['session'];
    const session = rawSession === null || rawSession === undefined ? null : sessionFromServer(rawSession);
    if (session !== null) await this.machinery.adopt({ session, user }, 'SIGNED_IN');
    return { user, session };
  }

  /** Email and password. Resolves with `{user, session}`, or with `{mfa}` when a second factor is needed. */
  async signIn(params: SignInParams): Promise<SignInResult> {
    await this.machinery.ready;
    return this.machinery.signInWith(
      await this.machinery.call('POST', '/login', { body: params, auth: 'none' }),
    );
  }

  /** Signs in as a new anonymous user; `updateUser({ email, password })` later makes it permanent. */
  async signInAnonymously(
    params: { data?: Record<string, unknown> } = {},
  ): Promise<{ user: User; session: Session }> {
    await this.machinery.ready;
    const result = signedInFrom(
      await this.machinery.call('POST', '/anonymous', { body: params, auth: 'none' }),
    );
    await this.machinery.adopt(result, 'SIGNED_IN');
    return result;
  }

  /**
   * Adopts a session obtained elsewhere: from `POST /api/admin/setup`, a
   * sign-in your own server did, another part of the app. The access token
   * is checked with `GET /api/auth/me` (an expired one is first exchanged
   * with the refresh token, which spends it); then the session is stored,
   * shared with other tabs and announced as SIGNED_IN. Rejects, keeping the
   * current session, with `client/invalid-session` when the arguments are
   * not tokens, or the server's code (`auth/invalid-token`,
   * `auth/session-revoked`, …) when it refuses them.
   */
  async setSession(params: SetSessionParams): Promise<{ user: User; session: Session }> {
    const given = sessionFromParams(params);
    return this.machinery.adoptGiven(given);
  }

  /** Completes a sign-in that returned `{mfa}` with a TOTP or recovery code. */
  verifyMfa(params: { ticket: string; code: string }): Promise<{ user: User; session: Session }> {
    return this.mfa.verify(params);
  }

  /**
   * Starts an OAuth/OpenID sign-in: returns the server's start URL and, in a
   * browser, navigates to it. The provider sends the user back to the server,
   * which redirects to `redirectTo` with a one-time `code`; call
   * `completeOAuthSignIn()` on that page.
   */
  async signInWithOAuth(params: OAuthSignInParams): Promise<{ url: string }> {
    return this.oauth.signIn(params);
  }

  /**
   * Finishes an OAuth sign-in on the page the server redirected back to:
   * reads `code` (or `error`) from `callbackUrl` (default: the current page),
   * exchanges the code for a session, and removes both from the address bar.
   * Resolves null when the URL has neither.
   */
  completeOAuthSignIn(callbackUrl?: string | URL): Promise<SignInResult | null> {
    return this.oauth.complete(callbackUrl);
  }

  /** Exchanges the one-time code from an OAuth redirect for a session. */
  exchangeOAuthCode(code: string): Promise<SignInResult> {
    return this.oauth.exchange(code);
  }

  /** The OAuth/OpenID providers the server has configured, for rendering sign-in buttons. */
  listProviders(): Promise<OAuthProvider[]> {
    return this.oauth.providers();
  }

  /**
   * Links another provider to the signed-in account (needs recent
   * authentication): resolves the provider's URL and, in a browser, navigates
   * there. The server sends the user back to `redirectTo` with `linked=<provider>`.
   */
  linkIdentity(params: OAuthSignInParams): Promise<{ url: string }> {
    return this.oauth.link(params);
  }

  /** The providers linked to the signed-in account. */
  listIdentities(): Promise<Identity[]> {
    return this.oauth.identities();
  }

  /** Unlinks a provider (the server refuses to remove the last way to sign in). */
  unlinkIdentity(provider: string): Promise<void> {
    return this.oauth.unlink(provider);
  }

  /**
   * Signs out. `scope: 'current'` (default) ends this session on the server,
   * `'global'` ends every session of the user, `'local'` only forgets it here.
   * The session is always forgotten locally; only a failed `'global'` rejects.
   */
  async signOut(options: SignOutOptions = {}): Promise<void> {
    await this.machinery.ready;
    const scope = options.scope ?? 'current';
    const session = this.machinery.current()?.session;
    let failure: unknown;
    if (session !== undefined && scope === 'global') {
      try {
        await this.machinery.call('POST', '/logout-all');
      } catch (error) {
        failure = error;
      }
    } else if (session !== undefined && scope === 'current') {
      const auth = isExpired(session) ? 'none' : { bearer: session.accessToken };
      // Best effort: the session is forgotten here whatever the server says.
      await this.machinery
        .call('POST', '/logout', { body: { refreshToken: session.refreshToken }, auth })
        .catch(() => {});
    }
    await this.machinery.forget();
    if (failure !== undefined) throw failure;
  }

  // ---- the account -----------------------------------------------------------------

  /**
   * Updates the signed-in user (`PATCH /api/auth/me`): profile `metadata`, a
   * new `email` (confirmed from the new address), or a `password` (how an
   * anonymous user becomes a permanent one, keeping its data).
   * `redirectTo` points the link confirming a new email at your own page.
   */
  updateUser(changes: UpdateUserParams, options: EmailLinkOptions = {}): Promise<UpdateUserResult> {
    return this.account.updateUser(changes, options);
  }

  /** Proves presence again before a sensitive change (email, password, MFA) long after sign-in. */
  reauthenticate(params: ReauthenticateParams): Promise<void> {
    return this.account.reauthenticate(params);
  }

  /**
   * Deletes the signed-in user's account for good (`DELETE /api/auth/me`),
   * then forgets the session here (SIGNED_OUT). The server wants credentials
   * presented within the last 10 minutes: pass `{password}` (or an MFA
   * `{code}`) to re-authenticate first, or it rejects with
   * `auth/recent-auth-required`. Records that point at the user follow their
   * relation's `onDelete`; a `restrict` one rejects with `records/referenced`.
   */
  deleteAccount(reauthenticate?: ReauthenticateParams): Promise<void> {
    return this.account.deleteAccount(reauthenticate);
  }

  /**
   * Changes the password. The server ends every other session and hands this
   * client a new one, which it adopts (TOKEN_REFRESHED).
   */
  changePassword(params: ChangePasswordParams): Promise<void> {
    return this.account.changePassword(params);
  }

  /**
   * Mails a reset link if the account exists (the answer is the same either
   * way). `redirectTo` points the link at your own page instead of the dashboard's.
   */
  requestPasswordReset(email: string, options: EmailLinkOptions = {}): Promise<void> {
    return this.account.requestPasswordReset(email, options);
  }

  /** Sets a new password with the token from the reset mail. Every session of the user ends. */
  resetPassword(params: { token: string; password: string }): Promise<void> {
    return this.account.resetPassword(params);
  }

  /** Confirms an email address with the token from the verification mail. */
  verifyEmail(token: string): Promise<void> {
    return this.account.verifyEmail(token);
  }

  /**
   * Sends the verification mail again: to the signed-in user, or to `email`
   * when signed out. `redirectTo` points the link at your own page.
   */
  resendVerification(email?: string, options: EmailLinkOptions = {}): Promise<void> {
    return this.account.resendVerification(email, options);
  }

  /** The user's sessions on every device; `current` marks this one. */
  listSessions(): Promise<SessionInfo[]> {
    return this.account.listSessions();
  }

  /** Ends one of the user's sessions (e.g. a lost phone). Revoking this client's own session signs out here too. */
  revokeSession(id: string): Promise<void> {
    return this.account.revokeSession(id);
  }

  /**
   * Starts TOTP enrolment: show `uri` as a QR code, then `confirmTotp` with a code from the app.
   * With MFA already on, replacing it needs `currentCode`: a code from the current app or a recovery code.
   */
  enrollTotp(currentCode?: string): Promise<TotpEnrollment> {
    return this.mfa.enrollTotp(currentCode);
  }

  /** Turns TOTP on with a first code; resolves with one-time recovery codes to show the user once. */
  confirmTotp(code: string): Promise<{ recoveryCodes: string[] }> {
    return this.mfa.confirmTotp(code);
  }

  /** Turns TOTP off (needs a current code). */
  disableTotp(code: string): Promise<void> {
    return this.mfa.disableTotp(code);
  }

  /** Replaces the recovery codes (needs a current TOTP or recovery code); the old ones stop working. */
  regenerateRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }> {
    return this.mfa.regenerateRecoveryCodes(code);
  }

  // ---- tokens and refresh ----------------------------------------------------------

  /** The access token to send now (refreshed first when about to expire); null when signed out. */
  getAccessToken(): Promise<string | null> {
    return this.machinery.getAccessToken();
  }

  /** @internal Used by the HttpClient after a 401: refresh once, unless another call already did. */
  refreshAfterUnauthorized(rejectedToken: string): Promise<string | null> {
    return this.machinery.refreshAfterUnauthorized(rejectedToken);
  }

  /**
   * Exchanges the refresh token for a new session now. Concurrent callers
   * (and, with tab sync, other tabs) share one request. Resolves null when
   * signed out; a rejected refresh token signs out and rejects; a network
   * failure keeps the session, retries with backoff, and rejects.
   */
  refreshSession(): Promise<Session | null> {
    return this.machinery.refreshSession();
  }

  /** Resumes refreshing ahead of expiry (e.g. when a React Native app returns to the foreground). */
  startAutoRefresh(): void {
    this.machinery.startAutoRefresh();
  }

  /** Stops the refresh timer (e.g. while a React Native app is in the background). Requests still refresh on demand. */
  stopAutoRefresh(): void {
    this.machinery.stopAutoRefresh();
  }

  /** Stops timers and tab sync and drops listeners. The stored session stays. */
  close(): void {
    this.machinery.close();
  }
}
