import { AuthEvents } from './auth-events.js';
import {
  isObjectBody,
  mfaChallengeFrom,
  sessionFromServer,
  signedInFrom,
  userFromBody,
  userFromServer,
} from './auth-responses.js';
import type { AuthChangeEvent, AuthState, MfaChallenge, Session, SignInResult, User } from './auth-types.js';
import { noLock, randomId, tagOf, type CrossTabLock } from './cross-tab-lock.js';
import { HearthError } from './hearth-error.js';
import type { AccessTokenSource, HttpClient, HttpMethod, RequestOptions } from './http-client.js';
import {
  isExpired,
  isRejectedRefresh,
  refreshDueAt,
  RefreshScheduler,
  retryDelayMs,
} from './refresh-scheduler.js';
import { inferEvent, sameState } from './session-changes.js';
import type { SessionStorage } from './session-storage.js';
import { SessionStore } from './session-store.js';
import { startTabSync, type TabSync } from './tab-sync.js';
import { onTabVisible } from './tab-visibility.js';

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
 * The session machinery behind `AuthClient`: keeps the session in storage,
 * refreshes it ahead of expiry (once, however many callers ask), keeps tabs
 * in step, and supplies the access token to the shared HttpClient. The
 * endpoint groups (account, MFA, OAuth) call the server through it and hand
 * it what they get back.
 */
export class AuthSession implements AccessTokenSource {
  /** Resolves once the stored session has loaded. */
  readonly ready: Promise<void>;
  readonly events = new AuthEvents();
  private readonly http: HttpClient;
  private readonly store: SessionStore;
  private readonly marginSeconds: number;
  private readonly lock: CrossTabLock;
  private readonly lockName: string;
  private readonly scheduler = new RefreshScheduler(() => this.refreshFromTimer());
  private readonly tabs: TabSync | undefined;
  private readonly sharesStorage: boolean;
  private readonly id = randomId();
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
    this.removeVisibilityListener = onTabVisible(() => {
      const session = this.state?.session;
      if (this.autoRefresh && session !== undefined && this.isDue(session)) this.refreshFromTimer();
    });
  }

  /** The session and user as last seen, or null (before `ready`, always null). */
  current(): AuthState | null {
    return this.state;
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

  /** An `/api/auth` call. */
  call(method: HttpMethod, path: string, options?: RequestOptions): Promise<unknown> {
    return this.http.request<unknown>(method, `${AUTH}${path}`, options);
  }

  /** The absolute URL of an `/api/auth` path. */
  url(path: string, query: Record<string, string | undefined>): string {
    return this.http.url(`${AUTH}${path}`, query);
  }

  /**
   * Adopts a session obtained elsewhere (`auth.setSession`): a live access
   * token is checked with /me, an expired one first exchanged with the
   * refresh token. The current session stays when the server refuses them.
   */
  async adoptGiven(given: Session): Promise<AuthState> {
    await this.ready;
    const state = isExpired(given) ? await this.redeem(given) : await this.checkOrRedeem(given);
    await this.adopt(state, 'SIGNED_IN');
    return state;
  }

  /** A sign-in answer: `{mfa}` is announced as MFA_CHALLENGE, `{user, session}` adopted as SIGNED_IN. */
  async signInWith(body: unknown): Promise<SignInResult> {
    const mfa: MfaChallenge | undefined = isObjectBody(body) ? mfaChallengeFrom(body['mfa']) : undefined;
    if (mfa !== undefined) {
      this.events.emit('MFA_CHALLENGE', null, { user: null, mfa });
      return { mfa };
    }
    const result = signedInFrom(body);
    await this.adopt(result, 'SIGNED_IN');
    return result;
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

  startAutoRefresh(): void {
    this.autoRefresh = true;
    this.schedule();
  }

  stopAutoRefresh(): void {
    this.autoRefresh = false;
    this.scheduler.cancel();
  }

  close(): void {
    this.closed = true;
    this.scheduler.cancel();
    this.tabs?.close();
    this.removeVisibilityListener?.();
    this.events.clear();
  }

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
  async adopt(state: AuthState, event: AuthChangeEvent): Promise<void> {
    this.setState(state);
    await this.persist(state);
    this.tabs?.publish(event, state);
    this.events.emit(event, state.session, { user: state.user });
  }

  async forget(options: { store: boolean; broadcast: boolean } = { store: true, broadcast: true }) {
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

  async replaceUser(user: User): Promise<void> {
    const current = this.state;
    if (current === null || JSON.stringify(current.user) === JSON.stringify(user)) return;
    await this.adopt({ session: current.session, user }, 'USER_UPDATED');
  }

  /** Account calls may hand back a new session (e.g. after a password change ended the others). */
  async adoptSessionIn(body: unknown): Promise<void> {
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
}

function timeoutSignal(ms: number): { signal?: AbortSignal } {
  const Signal = (globalThis as { AbortSignal?: { timeout?: (ms: number) => AbortSignal } }).AbortSignal;
  return typeof Signal?.timeout === 'function' ? { signal: Signal.timeout(ms) } : {};
}
