import { AuthEvents } from './auth-events.js';
import {
  isObjectBody,
  mfaChallengeFrom,
  sessionFromServer,
  sessionFromParams,
  signedInFrom,
  userFromBody,
  userFromServer,
} from './auth-responses.js';
import type {
  AuthChangeEvent,
  AuthChangeListener,
  AuthState,
  Identity,
  MfaChallenge,
  OAuthProvider,
  OAuthSignInParams,
  Session,
  ChangePasswordParams,
  EmailLinkOptions,
  ReauthenticateParams,
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
import { noLock, randomId, tagOf, type CrossTabLock } from './cross-tab-lock.js';
import { HearthError } from './hearth-error.js';
import type { AccessTokenSource, HttpClient, HttpMethod, RequestOptions } from './http-client.js';
import { readJwtClaims } from './jwt-claims.js';
import { isExpired, refreshDueAt, RefreshScheduler, retryDelayMs } from './refresh-scheduler.js';
import { isBrowserPage, type SessionStorage } from './session-storage.js';
import { readUrlParams } from './url-params.js';
import { SessionStore } from './session-store.js';
import { startTabSync, type TabSync } from './tab-sync.js';

export interface AuthClientOptions {
  http: HttpClient;
  storage: SessionStorage;
  storageKey: string;
  autoRefresh: boolean;
  refreshMarginSeconds: number;
  /** Share the session with other tabs over this BroadcastChannel name, or not at all. */
  tabSync: false | { channelName: string };
  /** Keeps two tabs from refreshing the same token; only needed with tab sync. */
  lock?: CrossTabLock;
}

const AUTH = '/api/auth';
// How long a spent refresh token stays marked, and how long another tab waits for its successor.
const SPENT_MARK_MS = 30_000;
const HANDOFF_WAIT_MS = 5_000;

// A refresh that hangs must not hold the cross-tab lock forever.
const REFRESH_TIMEOUT_MS = 30_000;

/**
 * The signed-in user's session: signs in and out, keeps the session in
 * storage, refreshes it ahead of expiry (once, however many callers ask),
 * and keeps tabs in step. It supplies the access token to the shared
 * HttpClient, so every other sub-client is authenticated through it.
 */
export class AuthClient implements AccessTokenSource {
  private readonly http: HttpClient;
  private readonly store: SessionStore;
  private readonly marginSeconds: number;
  private readonly lock: CrossTabLock;
  private readonly lockName: string;
  private readonly events = new AuthEvents();
  private readonly scheduler = new RefreshScheduler(() => this.refreshFromTimer());
  private readonly tabs: TabSync | undefined;
  private readonly sharesStorage: boolean;
  private readonly id = randomId();
  private readonly ready: Promise<void>;
  private autoRefresh: boolean;
  private state: AuthState | null = null;
  private refreshing: Promise<Session | null> | undefined;
  private retryAttempt = 0;
  private closed = false;
  private removeVisibilityListener: (() => void) | undefined;

  constructor(options: AuthClientOptions) {
    this.http = options.http;
    this.store = new SessionStore(options.storage, options.storageKey);
    this.autoRefresh = options.autoRefresh;
    this.marginSeconds = options.refreshMarginSeconds;
    this.lock = options.lock ?? noLock;
    this.lockName = `hearth-refresh:${options.storageKey}`;
    this.sharesStorage = options.tabSync !== false;
    this.tabs =
      options.tabSync === false
        ? undefined
        : startTabSync({
            channelName: options.tabSync.channelName,
            storageKey: options.storageKey,
            sender: this.id,
            onChange: (event, state) => this.applyRemoteChange(event, state),
          });
    this.http.setAccessTokenSource(this);
    this.ready = this.restore();
    this.watchVisibility();
  }

  // ---- state ---------------------------------------------------------------

  /** The current session, or null. Synchronous: before the stored session has loaded it is null; see `getSession`. */
  session(): Session | null {
    return this.state?.session ?? null;
  }

  /** The signed-in user as last seen, or null. */
  user(): User | null {
    return this.state?.user ?? null;
  }

  /** The session once storage has loaded, refreshed first if it is about to expire. */
  async getSession(): Promise<Session | null> {
    await this.ready;
    const session = this.state?.session;
    if (session === undefined) return null;
    if (!this.isDue(session)) return session;
    try {
      return await this.refreshSession();
    } catch {
      // The server is unreachable: the old session is the best there is, and retries continue.
      return this.state?.session ?? null;
    }
  }

  /** Fetches the user from the server (`GET /api/auth/me`); null when signed out. */
  async getUser(): Promise<User | null> {
    await this.ready;
    if (this.state === null) return null;
    const user = userFromBody(await this.call('GET', '/me'));
    await this.replaceUser(user);
    return user;
  }

  /** Subscribes to SIGNED_IN, SIGNED_OUT, TOKEN_REFRESHED, USER_UPDATED and MFA_CHALLENGE; returns the unsubscribe. */
  onAuthStateChange(listener: AuthChangeListener): () => void {
    return this.events.subscribe(listener);
  }

  // ---- signing in and out ----------------------------------------------------

  async signUp(params: SignUpParams): Promise<SignUpResult> {
    await this.ready;
    const body = await this.call('POST', '/signup', { body: params, auth: 'none' });
    if (!isObjectBody(body)) throw invalidAnswer('sign-up result');
    const user = userFromServer(body['user']);
    const rawSession = body['session'];
    const session = rawSession === null || rawSession === undefined ? null : sessionFromServer(rawSession);
    if (session !== null) await this.adopt({ session, user }, 'SIGNED_IN');
    return { user, session };
  }

  /** Email and password. Resolves with `{user, session}`, or with `{mfa}` when a second factor is needed. */
  async signIn(params: SignInParams): Promise<SignInResult> {
    await this.ready;
    return this.signInWith(await this.call('POST', '/login', { body: params, auth: 'none' }));
  }

  /** Signs in as a new anonymous user; `updateUser({ email, password })` later makes it permanent. */
  async signInAnonymously(
    params: { data?: Record<string, unknown> } = {},
  ): Promise<{ user: User; session: Session }> {
    await this.ready;
    const result = signedInFrom(await this.call('POST', '/anonymous', { body: params, auth: 'none' }));
    await this.adopt(result, 'SIGNED_IN');
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
    await this.ready;
    const given = sessionFromParams(params);
    const state = isExpired(given) ? await this.redeem(given) : await this.checkOrRedeem(given);
    await this.adopt(state, 'SIGNED_IN');
    return state;
  }

  /** Completes a sign-in that returned `{mfa}` with a TOTP or recovery code. */
  async verifyMfa(params: { ticket: string; code: string }): Promise<{ user: User; session: Session }> {
    await this.ready;
    const result = signedInFrom(await this.call('POST', '/mfa/verify', { body: params, auth: 'none' }));
    await this.adopt(result, 'SIGNED_IN');
    return result;
  }

  /**
   * Starts an OAuth/OpenID sign-in: returns the server's start URL and, in a
   * browser, navigates to it. The provider sends the user back to the server,
   * which redirects to `redirectTo` with a one-time `code`; call
   * `completeOAuthSignIn()` on that page.
   */
  async signInWithOAuth(params: OAuthSignInParams): Promise<{ url: string }> {
    const redirectTo = params.redirectTo ?? currentPageUrl();
    const url = this.http.url(`${AUTH}/oauth/${encodeURIComponent(params.provider)}/start`, { redirectTo });
    if (params.skipBrowserRedirect !== true && isBrowserPage()) navigate(url);
    return { url };
  }

  /**
   * Finishes an OAuth sign-in on the page the server redirected back to:
   * reads `code` (or `error`) from `callbackUrl` (default: the current page),
   * exchanges the code for a session, and removes both from the address bar.
   * Resolves null when the URL has neither.
   */
  async completeOAuthSignIn(callbackUrl?: string | URL): Promise<SignInResult | null> {
    const source = callbackUrl ?? currentPageUrl();
    if (source === undefined)
      throw new TypeError('Hearth: completeOAuthSignIn needs the callback URL outside a browser');
    // Some flows put parameters in the fragment so they never reach a server log.
    const params = readUrlParams(String(source));
    const error = params.get('error') ?? null;
    const code = params.get('code') ?? null;
    if (error === null && code === null) return null;
    if (callbackUrl === undefined) removeOAuthParamsFromAddressBar();
    if (error !== null) {
      throw new HearthError(error, params.get('error_description') ?? params.get('message') ?? error, 0);
    }
    return this.exchangeOAuthCode(code ?? '');
  }

  /** Exchanges the one-time code from an OAuth redirect for a session. */
  async exchangeOAuthCode(code: string): Promise<SignInResult> {
    await this.ready;
    return this.signInWith(await this.call('POST', '/oauth/exchange', { body: { code }, auth: 'none' }));
  }

  /** The OAuth/OpenID providers the server has configured, for rendering sign-in buttons. */
  async listProviders(): Promise<OAuthProvider[]> {
    return itemsOf<OAuthProvider>(await this.call('GET', '/providers', { auth: 'none' }), 'provider list');
  }

  /**
   * Links another provider to the signed-in account (needs recent
   * authentication): resolves the provider's URL and, in a browser, navigates
   * there. The server sends the user back to `redirectTo` with `linked=<provider>`.
   */
  async linkIdentity(params: OAuthSignInParams): Promise<{ url: string }> {
    const redirectTo = params.redirectTo ?? currentPageUrl();
    const body = await this.call('POST', `/oauth/${encodeURIComponent(params.provider)}/link`, {
      body: redirectTo === undefined ? {} : { redirectTo },
    });
    if (!isObjectBody(body) || typeof body['url'] !== 'string') throw invalidAnswer('link URL');
    const url = body['url'];
    if (params.skipBrowserRedirect !== true && isBrowserPage()) navigate(url);
    return { url };
  }

  /** The providers linked to the signed-in account. */
  async listIdentities(): Promise<Identity[]> {
    return itemsOf<Identity>(await this.call('GET', '/identities'), 'identity list');
  }

  /** Unlinks a provider (the server refuses to remove the last way to sign in). */
  async unlinkIdentity(provider: string): Promise<void> {
    await this.call('DELETE', `/identities/${encodeURIComponent(provider)}`);
  }

  /**
   * Signs out. `scope: 'current'` (default) ends this session on the server,
   * `'global'` ends every session of the user, `'local'` only forgets it here.
   * The session is always forgotten locally; only a failed `'global'` rejects.
   */
  async signOut(options: SignOutOptions = {}): Promise<void> {
    await this.ready;
    const scope = options.scope ?? 'current';
    const session = this.state?.session;
    let failure: unknown;
    if (session !== undefined && scope === 'global') {
      try {
        await this.call('POST', '/logout-all');
      } catch (error) {
        failure = error;
      }
    } else if (session !== undefined && scope === 'current') {
      const auth = isExpired(session) ? 'none' : { bearer: session.accessToken };
      // Best effort: the session is forgotten here whatever the server says.
      await this.call('POST', '/logout', { body: { refreshToken: session.refreshToken }, auth }).catch(
        () => {},
      );
    }
    await this.forget();
    if (failure !== undefined) throw failure;
  }

  // ---- the account -----------------------------------------------------------

  /**
   * Updates the signed-in user (`PATCH /api/auth/me`): profile `metadata`, a
   * new `email` (confirmed from the new address), or a `password` (how an
   * anonymous user becomes a permanent one, keeping its data).
   * `redirectTo` points the link confirming a new email at your own page.
   */
  async updateUser(changes: UpdateUserParams, options: EmailLinkOptions = {}): Promise<UpdateUserResult> {
    const body = await this.call('PATCH', '/me', { body: { ...changes, ...redirectOf(options) } });
    await this.adoptSessionIn(body);
    const user = userFromBody(body);
    await this.replaceUser(user);
    const pending = isObjectBody(body) && body['emailChangePending'] === true;
    return { user, emailChangePending: pending };
  }

  /** Proves presence again before a sensitive change (email, password, MFA) long after sign-in. */
  async reauthenticate(params: ReauthenticateParams): Promise<void> {
    await this.call('POST', '/reauthenticate', { body: params });
  }

  /**
   * Deletes the signed-in user's account for good (`DELETE /api/auth/me`),
   * then forgets the session here (SIGNED_OUT). The server wants credentials
   * presented within the last 10 minutes: pass `{password}` (or an MFA
   * `{code}`) to re-authenticate first, or it rejects with
   * `auth/recent-auth-required`. Records that point at the user follow their
   * relation's `onDelete`; a `restrict` one rejects with `records/referenced`.
   */
  async deleteAccount(reauthenticate?: ReauthenticateParams): Promise<void> {
    if (reauthenticate !== undefined) await this.reauthenticate(reauthenticate);
    await this.call('DELETE', '/me');
    await this.forget();
  }

  /**
   * Changes the password. The server ends every other session and hands this
   * client a new one, which it adopts (TOKEN_REFRESHED).
   */
  async changePassword(params: ChangePasswordParams): Promise<void> {
    const body = await this.call('POST', '/password/change', { body: params });
    await this.adoptSessionIn(body);
  }

  /**
   * Mails a reset link if the account exists (the answer is the same either
   * way). `redirectTo` points the link at your own page instead of the dashboard's.
   */
  async requestPasswordReset(email: string, options: EmailLinkOptions = {}): Promise<void> {
    await this.call('POST', '/password/forgot', { body: { email, ...redirectOf(options) }, auth: 'none' });
  }

  /** Sets a new password with the token from the reset mail. Every session of the user ends. */
  async resetPassword(params: { token: string; password: string }): Promise<void> {
    await this.call('POST', '/password/reset', { body: params, auth: 'none' });
  }

  /** Confirms an email address with the token from the verification mail. */
  async verifyEmail(token: string): Promise<void> {
    const body = await this.call('POST', '/email/verify', { body: { token }, auth: 'none' });
    if (this.state !== null && isObjectBody(body) && isObjectBody(body['user'])) {
      const user = userFromServer(body['user']);
      if (user.id === this.state.user.id) await this.replaceUser(user);
    }
  }

  /**
   * Sends the verification mail again: to the signed-in user, or to `email`
   * when signed out. `redirectTo` points the link at your own page.
   */
  async resendVerification(email?: string, options: EmailLinkOptions = {}): Promise<void> {
    await this.ready;
    const redirect = redirectOf(options);
    if (this.state !== null) await this.call('POST', '/email/verify/resend', { body: redirect });
    else await this.call('POST', '/email/verify/resend', { body: { email, ...redirect }, auth: 'none' });
  }

  /** The user's sessions on every device; `current` marks this one. */
  async listSessions(): Promise<SessionInfo[]> {
    const body = await this.call('GET', '/sessions');
    const list = Array.isArray(body)
      ? body
      : isObjectBody(body)
        ? (body['items'] ?? body['sessions'])
        : undefined;
    if (!Array.isArray(list)) throw invalidAnswer('session list');
    return list as SessionInfo[];
  }

  /** Ends one of the user's sessions (e.g. a lost phone). Revoking this client's own session signs out here too. */
  async revokeSession(id: string): Promise<void> {
    await this.call('DELETE', `/sessions/${encodeURIComponent(id)}`);
    const current = this.state?.session;
    if (current !== undefined && readJwtClaims(current.accessToken)?.['sid'] === id) await this.forget();
  }

  /**
   * Starts TOTP enrolment: show `uri` as a QR code, then `confirmTotp` with a code from the app.
   * With MFA already on, replacing it needs `currentCode`: a code from the current app or a recovery code.
   */
  async enrollTotp(currentCode?: string): Promise<TotpEnrollment> {
    const body = await this.call(
      'POST',
      '/mfa/totp/enroll',
      currentCode === undefined ? {} : { body: { code: currentCode } },
    );
    if (!isObjectBody(body) || typeof body['secret'] !== 'string' || typeof body['uri'] !== 'string') {
      throw invalidAnswer('TOTP enrolment');
    }
    return { secret: body['secret'], uri: body['uri'] };
  }

  /** Turns TOTP on with a first code; resolves with one-time recovery codes to show the user once. */
  async confirmTotp(code: string): Promise<{ recoveryCodes: string[] }> {
    const body = await this.call('POST', '/mfa/totp/confirm', { body: { code } });
    return { recoveryCodes: await this.userAndRecoveryCodes(body) };
  }

  /** Turns TOTP off (needs a current code). */
  async disableTotp(code: string): Promise<void> {
    const body = await this.call('POST', '/mfa/totp/disable', { body: { code } });
    if (isObjectBody(body) && isObjectBody(body['user']))
      await this.replaceUser(userFromServer(body['user']));
  }

  /** Replaces the recovery codes (needs a current TOTP or recovery code); the old ones stop working. */
  async regenerateRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }> {
    const body = await this.call('POST', '/mfa/recovery-codes', { body: { code } });
    return { recoveryCodes: await this.userAndRecoveryCodes(body) };
  }

  // ---- tokens and refresh -------------------------------------------------------

  /** The access token to send now (refreshed first when about to expire); null when signed out. */
  async getAccessToken(): Promise<string | null> {
    await this.ready;
    const session = this.state?.session;
    if (session === undefined) return null;
    if (!this.isDue(session)) return session.accessToken;
    try {
      return (await this.refreshSession())?.accessToken ?? null;
    } catch (error) {
      const current = this.state?.session;
      // Unreachable server: a token that has not expired yet still works.
      if (current !== undefined && !isExpired(current)) return current.accessToken;
      if (current === undefined) return null;
      throw error;
    }
  }

  /** @internal Used by the HttpClient after a 401: refresh once, unless another call already did. */
  async refreshAfterUnauthorized(rejectedToken: string): Promise<string | null> {
    await this.ready;
    const session = this.state?.session;
    if (session === undefined) return null;
    if (session.accessToken !== rejectedToken) return session.accessToken;
    try {
      return (await this.refreshSession())?.accessToken ?? null;
    } catch {
      return null;
    }
  }

  /**
   * Exchanges the refresh token for a new session now. Concurrent callers
   * (and, with tab sync, other tabs) share one request. Resolves null when
   * signed out; a rejected refresh token signs out and rejects; a network
   * failure keeps the session, retries with backoff, and rejects.
   */
  refreshSession(): Promise<Session | null> {
    this.refreshing ??= this.runRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Resumes refreshing ahead of expiry (e.g. when a React Native app returns to the foreground). */
  startAutoRefresh(): void {
    this.autoRefresh = true;
    this.schedule();
  }

  /** Stops the refresh timer (e.g. while a React Native app is in the background). Requests still refresh on demand. */
  stopAutoRefresh(): void {
    this.autoRefresh = false;
    this.scheduler.cancel();
  }

  /** Stops timers and tab sync and drops listeners. The stored session stays. */
  close(): void {
    this.closed = true;
    this.scheduler.cancel();
    this.tabs?.close();
    this.removeVisibilityListener?.();
    this.events.clear();
  }

  // ---- internals ----------------------------------------------------------------

  private async restore(): Promise<void> {
    this.state = await this.store.load();
    this.schedule();
  }

  private isDue(session: Session): boolean {
    return Date.now() >= refreshDueAt(session, this.marginSeconds);
  }

  private async runRefresh(): Promise<Session | null> {
    await this.ready;
    const before = this.state?.session;
    if (before === undefined) return null;
    const spentMark = `${this.lockName}:spent:${tagOf(before.refreshToken)}`;
    return this.lock.withLock(this.lockName, async () => {
      let latest = await this.latestState();
      if (latest === null) return null;
      // Another tab (or an earlier call) refreshed while this one waited for the lock.
      if (latest.session.refreshToken !== before.refreshToken) return latest.session;
      // Another tab spent this token, but its new session has not reached our storage yet:
      // wait for it rather than reuse the token, which would end the session everywhere.
      if (await this.lock.isSpent?.(spentMark)) {
        latest = await this.awaitHandoff(before.refreshToken);
        if (latest === null || latest.session.refreshToken !== before.refreshToken)
          return latest?.session ?? null;
      }

      let body: unknown;
      try {
        body = await this.call('POST', '/refresh', {
          body: { refreshToken: before.refreshToken },
          auth: 'none',
          ...timeoutSignal(REFRESH_TIMEOUT_MS),
        });
      } catch (error) {
        if (isRejectedRefresh(error)) {
          // Reused, revoked or expired: the session is over, here and in the other tabs.
          if (this.state?.session.refreshToken === before.refreshToken) await this.forget();
        } else if (this.autoRefresh && !this.closed) {
          this.scheduler.scheduleIn(retryDelayMs(this.retryAttempt++));
        }
        throw error;
      }
      // Before the lock is released, so the next holder knows this token is gone.
      await this.lock.markSpent?.(spentMark, SPENT_MARK_MS);
      const session = sessionFromServer(isObjectBody(body) ? body['session'] : undefined);
      const rawUser = isObjectBody(body) ? body['user'] : undefined;
      const user = rawUser === undefined ? latest.user : userFromServer(rawUser);
      if (this.state?.session.refreshToken !== before.refreshToken) {
        // Signed out, or in as someone else, while the refresh was in flight: that wins.
        if (this.state === null) this.discardOnServer(session);
        return this.state?.session ?? null;
      }
      this.retryAttempt = 0;
      await this.adopt({ session, user }, 'TOKEN_REFRESHED');
      return session;
    });
  }

  /**
   * With tab sync, the storage the tabs share may hold a newer session than
   * this tab's memory (a broadcast still in flight): take it.
   */
  private async latestState(): Promise<AuthState | null> {
    if (!this.sharesStorage || this.state === null) return this.state;
    const stored = await this.store.load();
    const current = this.state;
    if (stored === null) {
      await this.forget({ store: false, broadcast: false });
      return null;
    }
    if (
      stored.session.refreshToken !== current.session.refreshToken &&
      stored.session.expiresAt >= current.session.expiresAt
    ) {
      this.setState(stored);
      this.events.emit(stored.user.id === current.user.id ? 'TOKEN_REFRESHED' : 'SIGNED_IN', stored.session, {
        user: stored.user,
      });
      return stored;
    }
    return current;
  }

  /** Polls the shared storage until another tab's refreshed session arrives (or gives up). */
  private async awaitHandoff(spentToken: string): Promise<AuthState | null> {
    const giveUpAt = Date.now() + HANDOFF_WAIT_MS;
    for (;;) {
      const latest = await this.latestState();
      if (latest === null || latest.session.refreshToken !== spentToken || Date.now() >= giveUpAt)
        return latest;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Ends a session nobody will use (best effort), so it does not linger on the server. */
  private discardOnServer(session: Session): void {
    this.call('POST', '/logout', {
      body: { refreshToken: session.refreshToken },
      auth: { bearer: session.accessToken },
    }).catch(() => {});
  }

  private refreshFromTimer(): void {
    if (this.closed || this.state === null) return;
    this.refreshSession().catch(() => {
      // Handled in runRefresh: a rejection signs out, a network failure schedules a retry.
    });
  }

  private schedule(): void {
    this.scheduler.cancel();
    if (!this.autoRefresh || this.closed || this.state === null) return;
    this.scheduler.scheduleAt(refreshDueAt(this.state.session, this.marginSeconds));
  }

  private setState(state: AuthState | null): void {
    this.state = state;
    this.retryAttempt = 0;
    this.schedule();
  }

  /** Makes `state` current: remembers it, stores it, tells the other tabs, then the listeners. */
  private async adopt(state: AuthState, event: AuthChangeEvent): Promise<void> {
    this.setState(state);
    await this.persist(state);
    this.tabs?.publish(event, state);
    this.events.emit(event, state.session, { user: state.user });
  }

  private async forget(options: { store: boolean; broadcast: boolean } = { store: true, broadcast: true }) {
    const hadSession = this.state !== null;
    this.setState(null);
    if (options.store) await this.persist(null);
    if (options.broadcast) this.tabs?.publish('SIGNED_OUT', null);
    if (hadSession) this.events.emit('SIGNED_OUT', null, { user: null });
  }

  private async persist(state: AuthState | null): Promise<void> {
    try {
      if (state === null) await this.store.clear();
      else await this.store.save(state);
    } catch (error) {
      // The session still works in memory; it just will not survive a reload.
      console.warn('Hearth: could not write the session to storage', error);
    }
  }

  private async replaceUser(user: User): Promise<void> {
    const current = this.state;
    if (current === null || JSON.stringify(current.user) === JSON.stringify(user)) return;
    await this.adopt({ session: current.session, user }, 'USER_UPDATED');
  }

  /** Account calls may hand back a new session (e.g. after a password change ended the others). */
  private async adoptSessionIn(body: unknown): Promise<void> {
    if (!isObjectBody(body) || !isObjectBody(body['session']) || this.state === null) return;
    const session = sessionFromServer(body['session']);
    const user = isObjectBody(body['user']) ? userFromServer(body['user']) : this.state.user;
    await this.adopt({ session, user }, 'TOKEN_REFRESHED');
  }

  /** Checks a live access token with /me; one the server already considers expired (clock skew) is redeemed. */
  private async checkOrRedeem(given: Session): Promise<AuthState> {
    try {
      return { session: given, user: await this.userOf(given) };
    } catch (error) {
      if (!(error instanceof HearthError) || error.code !== 'auth/token-expired') throw error;
      return this.redeem(given);
    }
  }

  /** Exchanges the refresh token of a session that is not (yet) this client's for a new session and its user. */
  private async redeem(given: Session): Promise<AuthState> {
    const body = await this.call('POST', '/refresh', {
      body: { refreshToken: given.refreshToken },
      auth: 'none',
      ...timeoutSignal(REFRESH_TIMEOUT_MS),
    });
    const session = sessionFromServer(isObjectBody(body) ? body['session'] : undefined);
    try {
      return { session, user: await this.userOf(session) };
    } catch (error) {
      this.discardOnServer(session);
      throw error;
    }
  }

  /** The user a session belongs to, asked with exactly its access token. */
  private async userOf(session: Session): Promise<User> {
    return userFromBody(await this.call('GET', '/me', { auth: { bearer: session.accessToken } }));
  }

  private async userAndRecoveryCodes(body: unknown): Promise<string[]> {
    if (!isObjectBody(body) || !Array.isArray(body['recoveryCodes'])) throw invalidAnswer('recovery codes');
    if (isObjectBody(body['user'])) await this.replaceUser(userFromServer(body['user']));
    return body['recoveryCodes'].filter((c): c is string => typeof c === 'string');
  }

  private async signInWith(body: unknown): Promise<SignInResult> {
    const mfa: MfaChallenge | undefined = isObjectBody(body) ? mfaChallengeFrom(body['mfa']) : undefined;
    if (mfa !== undefined) {
      this.events.emit('MFA_CHALLENGE', null, { user: null, mfa });
      return { mfa };
    }
    const result = signedInFrom(body);
    await this.adopt(result, 'SIGNED_IN');
    return result;
  }

  private applyRemoteChange(event: AuthChangeEvent | undefined, next: AuthState | null): void {
    void this.ready.then(() => {
      if (this.closed) return;
      const previous = this.state;
      const resolved = event ?? inferEvent(previous, next);
      if (resolved === undefined) return;
      if (next === null) {
        if (previous !== null) void this.forget({ store: false, broadcast: false });
        return;
      }
      if (previous !== null && sameState(previous, next)) return;
      // Messages and storage writes can cross: never step back to an older token of the same user.
      if (previous?.user.id === next.user.id && next.session.expiresAt < previous.session.expiresAt) return;
      this.setState(next);
      this.events.emit(resolved, next.session, { user: next.user });
    });
  }

  private watchVisibility(): void {
    // Background tabs throttle timers: check the session when the tab comes back.
    const doc = (globalThis as { document?: Partial<VisibilityTarget> }).document;
    if (!isBrowserPage() || typeof doc?.addEventListener !== 'function') return;
    const target = doc as VisibilityTarget;
    const onChange = () => {
      if (target.visibilityState !== 'visible' || !this.autoRefresh) return;
      const session = this.state?.session;
      if (session !== undefined && this.isDue(session)) this.refreshFromTimer();
    };
    target.addEventListener('visibilitychange', onChange);
    this.removeVisibilityListener = () => target.removeEventListener('visibilitychange', onChange);
  }

  private call(method: HttpMethod, path: string, options?: RequestOptions): Promise<unknown> {
    return this.http.request<unknown>(method, `${AUTH}${path}`, options);
  }
}

interface VisibilityTarget {
  visibilityState: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

function invalidAnswer(what: string): HearthError {
  return new HearthError('client/invalid-response', `The server's answer has no valid ${what}.`, 200);
}

/**
 * A refresh the server refused for good (reused, revoked, expired or unknown
 * token) as opposed to one that may work later (network, 429, 5xx).
 */
function isRejectedRefresh(error: unknown): boolean {
  if (!(error instanceof HearthError)) return false;
  const { status, code } = error;
  if (status === 400 || status === 401 || status === 403) return true;
  return status >= 400 && status < 500 && status !== 408 && status !== 429 && code.startsWith('auth/');
}

function inferEvent(previous: AuthState | null, next: AuthState | null): AuthChangeEvent | undefined {
  if (previous === null) return next === null ? undefined : 'SIGNED_IN';
  if (next === null) return 'SIGNED_OUT';
  if (previous.user.id !== next.user.id) return 'SIGNED_IN';
  if (previous.session.refreshToken !== next.session.refreshToken) return 'TOKEN_REFRESHED';
  if (JSON.stringify(previous.user) !== JSON.stringify(next.user)) return 'USER_UPDATED';
  return undefined;
}

function sameState(a: AuthState, b: AuthState): boolean {
  return (
    a.session.accessToken === b.session.accessToken &&
    a.session.refreshToken === b.session.refreshToken &&
    JSON.stringify(a.user) === JSON.stringify(b.user)
  );
}

function timeoutSignal(ms: number): { signal?: AbortSignal } {
  const Signal = (globalThis as { AbortSignal?: { timeout?: (ms: number) => AbortSignal } }).AbortSignal;
  return typeof Signal?.timeout === 'function' ? { signal: Signal.timeout(ms) } : {};
}

function navigate(url: string): void {
  (globalThis as unknown as { location: { assign(url: string): void } }).location.assign(url);
}

/** `{items: [...]}` (or a bare array) from a list endpoint. */
function itemsOf<T>(body: unknown, what: string): T[] {
  const items = Array.isArray(body) ? body : isObjectBody(body) ? body['items'] : undefined;
  if (!Array.isArray(items)) throw invalidAnswer(what);
  return items as T[];
}

/** `{redirectTo}` when one was given, else nothing (the server then links to the dashboard pages). */
function redirectOf(options: EmailLinkOptions): { redirectTo?: string } {
  return options.redirectTo === undefined ? {} : { redirectTo: options.redirectTo };
}

function currentPageUrl(): string | undefined {
  if (!isBrowserPage()) return undefined;
  const href = (globalThis as { location?: { href?: unknown } }).location?.href;
  return typeof href === 'string' ? href : undefined;
}

function removeOAuthParamsFromAddressBar(): void {
  const scope = globalThis as {
    location?: { href: string };
    history?: { replaceState(data: unknown, unused: string, url: string): void; state: unknown };
  };
  if (!isBrowserPage() || scope.location === undefined || typeof scope.history?.replaceState !== 'function')
    return;
  const url = new URL(scope.location.href);
  for (const key of ['code', 'error', 'error_description', 'state']) url.searchParams.delete(key);
  if (/(^#|&)(code|error)=/.test(url.hash)) url.hash = '';
  scope.history.replaceState(scope.history.state, '', url.toString());
}
