import {
  authorizationCodeGrant,
  buildAuthorizationUrl,
  calculatePKCECodeChallenge,
  randomNonce,
  randomPKCECodeVerifier,
  randomState,
} from 'openid-client';
import { z } from 'zod';
import { withTransaction } from '../../db/transaction.js';
import { HearthError } from '../../errors/index.js';
import type { AuthDeps } from '../auth-deps.js';
import type { SignInResult } from '../account-service.js';
import type { MfaService } from '../mfa-service.js';
import { checkRedirect } from '../redirect-allowlist.js';
import { hashToken, newOpaqueToken } from '../../lib/opaque-tokens.js';
import type { ClientInfo } from '../sessions.js';
import {
  findUserById,
  normalizeEmail,
  toPublicUser,
  type Db,
  type PublicUser,
  type UserRow,
} from '../users.js';
import type { ExternalIdentity } from './external-identity.js';
import { fetchGitHubIdentity } from './github-identity.js';
import type { OAuthProvider } from './oauth-providers.js';

export type { ExternalIdentity } from './external-identity.js';

const REQUEST_SECONDS = 600;
/** An ID token's email claim counts only when it is an address. */
const emailClaim = z.email().max(254).transform(normalizeEmail);
const CODE_SECONDS = 120;

export interface IdentityInfo {
  provider: string;
  email: string | null;
  createdAt: string;
  lastUsedAt: string;
}

/** Where the callback sends the browser, or what it answers when there is no redirect. */
export type CallbackOutcome =
  | { kind: 'signed-in'; userId: string; code: string; redirectTo: string | null }
  | { kind: 'linked'; userId: string; provider: string; redirectTo: string | null };

const failed = (reason: string, message?: string) =>
  new HearthError('auth/oauth-failed', message, { details: { reason } });

/**
 * OAuth2 / OpenID Connect sign-in with state, nonce and PKCE. Identities are
 * keyed by (provider, subject). An identity joins an existing account only
 * when both the account's email and the provider's are verified; otherwise
 * the sign-in stops with auth/identity-conflict and never lands on that account.
 */
export class OAuthService {
  constructor(
    private readonly deps: AuthDeps,
    private readonly providers: Map<string, OAuthProvider>,
    private readonly mfa: MfaService,
  ) {}

  list(): Array<{ name: string; displayName: string }> {
    return [...this.providers.values()].map((p) => ({ name: p.name, displayName: p.displayName }));
  }

  private provider(name: string): OAuthProvider {
    const provider = this.providers.get(name);
    if (!provider) throw new HearthError('auth/unknown-provider');
    return provider;
  }

  callbackUrl(provider: string): string {
    return `${this.deps.publicUrl()}/api/auth/oauth/${provider}/callback`;
  }

  /** Starts an authorization request and returns the provider URL to send the browser to. */
  async start(
    providerName: string,
    options: { redirectTo?: string | undefined; linkUserId?: string | undefined },
  ): Promise<string> {
    const provider = this.provider(providerName);
    const redirectTo = checkRedirect(options.redirectTo, this.deps)?.href ?? null;
    const configuration = await provider.configuration().catch((error: unknown) => {
      this.deps.logger.warn({ err: error, provider: providerName }, 'OAuth discovery failed');
      throw failed('discovery', 'The provider could not be reached.');
    });
    const state = randomState();
    const nonce = randomNonce();
    const verifier = randomPKCECodeVerifier();
    await this.deps.pool.query(
      `INSERT INTO hearth.oauth_requests (state_hash, provider, code_verifier, nonce, redirect_to, link_user_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
      [
        hashToken(state),
        providerName,
        verifier,
        nonce,
        redirectTo,
        options.linkUserId ?? null,
        REQUEST_SECONDS,
      ],
    );
    const parameters: Record<string, string> = {
      redirect_uri: this.callbackUrl(providerName),
      scope: provider.scopes.join(' '),
      state,
      code_challenge: await calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    if (provider.kind === 'oidc') parameters.nonce = nonce;
    if (provider.responseMode === 'form_post') parameters.response_mode = 'form_post';
    return buildAuthorizationUrl(configuration, parameters).href;
  }

  /** The redirectTo of a pending request, so errors can be sent back to the app. */
  async pendingRedirect(state: string | undefined): Promise<string | null> {
    if (!state) return null;
    const { rows } = await this.deps.pool.query<{ redirect_to: string | null }>(
      'SELECT redirect_to FROM hearth.oauth_requests WHERE state_hash = $1',
      [hashToken(state)],
    );
    return rows[0]?.redirect_to ?? null;
  }

  /**
   * Completes the authorization: checks state (single use), exchanges the
   * code with the PKCE verifier, checks the ID token's nonce, and finds or
   * creates the account.
   */
  async callback(providerName: string, params: URLSearchParams): Promise<CallbackOutcome> {
    const provider = this.provider(providerName);
    const state = params.get('state') ?? '';
    const { rows } = await this.deps.pool.query<{
      code_verifier: string;
      nonce: string;
      redirect_to: string | null;
      link_user_id: string | null;
    }>(
      `DELETE FROM hearth.oauth_requests WHERE state_hash = $1 AND provider = $2 AND expires_at > now()
       RETURNING code_verifier, nonce, redirect_to, link_user_id`,
      [hashToken(state), providerName],
    );
    const request = rows[0];
    if (!request) throw failed('state', 'The sign-in request is unknown or expired; start again.');
    const refusal = params.get('error');
    if (refusal !== null) throw failed('provider', `The provider refused: ${refusal.slice(0, 100)}`);

    const identity = await this.exchange(provider, params, request).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, provider: providerName }, 'OAuth code exchange failed');
      if (error instanceof HearthError) throw error;
      throw failed('exchange', 'The provider’s answer did not check out.');
    });

    return withTransaction(this.deps.pool, async (db) => {
      if (request.link_user_id) {
        await this.linkIdentity(db, request.link_user_id, providerName, identity);
        return {
          kind: 'linked',
          userId: request.link_user_id,
          provider: providerName,
          redirectTo: request.redirect_to,
        };
      }
      const user = await this.findOrCreateUser(db, providerName, identity);
      if (user.disabled) throw new HearthError('auth/user-disabled');
      const code = newOpaqueToken();
      await db.query(
        `INSERT INTO hearth.oauth_codes (code_hash, user_id, provider, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
        [hashToken(code), user.id, providerName, CODE_SECONDS],
      );
      return { kind: 'signed-in', userId: user.id, code, redirectTo: request.redirect_to };
    });
  }

  private async exchange(
    provider: OAuthProvider,
    params: URLSearchParams,
    request: { code_verifier: string; nonce: string },
  ): Promise<ExternalIdentity> {
    const configuration = await provider.configuration();
    const currentUrl = new URL(this.callbackUrl(provider.name));
    for (const [key, value] of params) currentUrl.searchParams.set(key, value);
    const tokens = await authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: request.code_verifier,
      expectedState: params.get('state') ?? '',
      ...(provider.kind === 'oidc' ? { expectedNonce: request.nonce } : {}),
    });
    if (provider.kind === 'github')
      return fetchGitHubIdentity(configuration, provider.apiUrl, tokens.access_token);
    const claims = tokens.claims();
    if (!claims) throw failed('id-token', 'The provider returned no ID token.');
    const email = emailClaim.safeParse(claims.email).data;
    // Apple sends email_verified as the string "true".
    const verified = claims.email_verified === true || claims.email_verified === 'true';
    return { subject: claims.sub, email, emailVerified: email !== undefined && verified };
  }

  private async findOrCreateUser(db: Db, provider: string, identity: ExternalIdentity): Promise<UserRow> {
    const known = await db.query<{ user_id: string }>(
      `UPDATE hearth.identities SET last_used_at = now(), email = COALESCE($3, email)
       WHERE provider = $1 AND subject = $2 RETURNING user_id`,
      [provider, identity.subject, identity.email ?? null],
    );
    const knownUserId = known.rows[0]?.user_id;
    if (knownUserId) return (await findUserById(db, knownUserId))!;

    if (identity.email) {
      const { rows } = await db.query<UserRow>('SELECT * FROM hearth.users WHERE email = $1 FOR UPDATE', [
        identity.email,
      ]);
      const existing = rows[0];
      if (existing) {
        // Joining an account by email is safe only when both sides proved they own it.
        if (!existing.emailVerified || !identity.emailVerified)
          throw new HearthError('auth/identity-conflict');
        await this.insertIdentity(db, existing.id, provider, identity);
        return existing;
      }
    }
    const { rows } = await db.query<UserRow>(
      `INSERT INTO hearth.users (email, "emailVerified") VALUES ($1, $2) RETURNING *`,
      [identity.email ?? null, identity.emailVerified],
    );
    const created = rows[0]!;
    await this.insertIdentity(db, created.id, provider, identity);
    return created;
  }

  private async linkIdentity(
    db: Db,
    userId: string,
    provider: string,
    identity: ExternalIdentity,
  ): Promise<void> {
    const { rows } = await db.query<{ user_id: string; subject: string }>(
      'SELECT user_id, subject FROM hearth.identities WHERE provider = $1 AND (subject = $2 OR user_id = $3)',
      [provider, identity.subject, userId],
    );
    if (rows.some((row) => row.user_id !== userId))
      throw new HearthError('auth/identity-conflict', 'This provider account is linked to another user.');
    // One identity per provider and account: a second subject would replace the first without a word.
    if (rows.some((row) => row.subject !== identity.subject))
      throw new HearthError(
        'auth/identity-conflict',
        'This account is linked to another account of this provider; unlink it first.',
      );
    if (rows.length > 0) return;
    await this.insertIdentity(db, userId, provider, identity);
  }

  private async insertIdentity(
    db: Db,
    userId: string,
    provider: string,
    identity: ExternalIdentity,
  ): Promise<void> {
    // ON CONFLICT DO NOTHING, then a check: a unique violation would abort the transaction and answer 500.
    const { rowCount } = await db.query(
      `INSERT INTO hearth.identities (user_id, provider, subject, email) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [userId, provider, identity.subject, identity.email ?? null],
    );
    if (rowCount === 0)
      throw new HearthError(
        'auth/identity-conflict',
        'This account is already linked to another account of this provider.',
      );
  }

  /** The app trades the one-time code from the redirect for a session (or an MFA challenge). */
  async exchangeCode(code: string, client: ClientInfo): Promise<SignInResult> {
    const { pool, sessions, limits } = this.deps;
    await limits.consume('link:ip', client.ip);
    const { rows } = await pool.query<{ user_id: string }>(
      `UPDATE hearth.oauth_codes SET used_at = now()
       WHERE code_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id`,
      [hashToken(code)],
    );
    const userId = rows[0]?.user_id;
    const user = userId ? await findUserById(pool, userId) : undefined;
    if (!user) throw new HearthError('auth/invalid-token', 'The sign-in code is unknown, used or expired.');
    if (user.disabled) throw new HearthError('auth/user-disabled');
    if (user.totpSecret) return { mfa: await this.mfa.createTicket(user, 'oauth') };
    return { user: toPublicUser(user), session: await sessions.create(pool, user, ['oauth'], client) };
  }

  async identities(userId: string): Promise<IdentityInfo[]> {
    const { rows } = await this.deps.pool.query<{
      provider: string;
      email: string | null;
      created_at: Date;
      last_used_at: Date;
    }>(
      'SELECT provider, email, created_at, last_used_at FROM hearth.identities WHERE user_id = $1 ORDER BY created_at',
      [userId],
    );
    return rows.map((row) => ({
      provider: row.provider,
      email: row.email,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at.toISOString(),
    }));
  }

  /** Unlinks a provider, unless it is the only way left to sign in. */
  async unlink(userId: string, provider: string): Promise<{ user: PublicUser }> {
    return withTransaction(this.deps.pool, async (db) => {
      const user = await findUserById(db, userId, true);
      if (!user) throw new HearthError('auth/session-revoked');
      const { rows } = await db.query<{ provider: string }>(
        'SELECT provider FROM hearth.identities WHERE user_id = $1',
        [userId],
      );
      if (!rows.some((row) => row.provider === provider)) throw new HearthError('auth/not-found');
      if (rows.length === 1 && !user.passwordHash) throw new HearthError('auth/last-sign-in-method');
      await db.query('DELETE FROM hearth.identities WHERE user_id = $1 AND provider = $2', [
        userId,
        provider,
      ]);
      return { user: toPublicUser(user) };
    });
  }
}
