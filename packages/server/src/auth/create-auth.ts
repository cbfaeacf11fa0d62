import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HearthConfig } from '../config/index.js';
import type { Pool } from '../db/pool.js';
import type { FieldCipher } from '../secrets/field-encryption.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import { AccessTokens } from './access-tokens.js';
import { AccountService } from './account-service.js';
import type { AuthDeps } from './auth-deps.js';
import { AuthStatusCache } from './auth-status-cache.js';
import { EmailFlowService } from './email-flows.js';
import { LoginThrottle } from './login-throttle.js';
import { MfaService } from './mfa-service.js';
import { buildOAuthProviders } from './oauth/oauth-providers.js';
import { OAuthService } from './oauth/oauth-service.js';
import { PrincipalResolver } from './principal-resolver.js';
import { connectRevocationBroadcast } from './revocation-broadcast.js';
import { AuthRateLimits } from './rate-limits.js';
import { ServiceKeyVerifier } from './service-key-verifier.js';
import { SessionService } from './sessions.js';
import { SigningKeyRing } from './signing-keys.js';

/** Every auth service, built once per process and shared by the routes. */
export interface Auth {
  deps: AuthDeps;
  keys: SigningKeyRing;
  tokens: AccessTokens;
  sessions: SessionService;
  accounts: AccountService;
  emailFlows: EmailFlowService;
  mfa: MfaService;
  oauth: OAuthService;
  limits: AuthRateLimits;
  principals: PrincipalResolver;
  /** Which sessions and service keys still stand, cached briefly; whoever revokes one clears it. */
  statusCache: AuthStatusCache;
  mailer: Mailer;
  close(): Promise<void>;
}

export interface CreateAuthOptions {
  config: HearthConfig;
  logger: Logger;
  pool: Pool;
  redis: Redis | undefined;
  /** Encrypts TOTP secrets and private signing keys at rest (or not, when no key is configured). */
  fieldCipher: FieldCipher;
  publicUrl(): string;
  /** hearth_mail_deliveries_total, counted by the mail delivery worker when metrics are on. */
  mailDeliveries?: Parameters<typeof createMailer>[0]['deliveries'];
}

/** Access tokens name this issuer: the public URL when set, else a fixed name, so it survives restarts. */
export function tokenIssuer(config: HearthConfig): string {
  return config.publicUrl ?? 'hearth';
}

export async function createAuth(options: CreateAuthOptions): Promise<Auth> {
  const { config, logger, pool, redis, fieldCipher } = options;
  const providers = buildOAuthProviders(config.oauthProviders);
  const keys = new SigningKeyRing(pool, config.accessTokenTtl, fieldCipher);
  await keys.start();
  const cache = new AuthStatusCache(config.authRevocationCacheMs);
  const stopBroadcast = redis ? await connectRevocationBroadcast(redis, cache, logger) : undefined;
  const tokens = new AccessTokens(keys, tokenIssuer(config), config.accessTokenTtl);
  const sessions = new SessionService(
    pool,
    tokens,
    { absoluteSeconds: config.refreshTokenLifetime, idleSeconds: config.refreshTokenIdleTimeout },
    cache,
  );
  const limits = new AuthRateLimits(redis, config.rateLimitFactor);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    pool,
    logger,
    deliveries: options.mailDeliveries,
  });
  const deps: AuthDeps = {
    pool,
    logger,
    config,
    sessions,
    limits,
    loginThrottle: new LoginThrottle(limits),
    mailer,
    fieldCipher,
    publicUrl: options.publicUrl,
  };
  const mfa = new MfaService(deps);
  return {
    deps,
    keys,
    tokens,
    sessions,
    accounts: new AccountService(deps, mfa),
    emailFlows: new EmailFlowService(deps),
    mfa,
    oauth: new OAuthService(deps, providers, mfa),
    limits,
    principals: new PrincipalResolver(pool, tokens, new ServiceKeyVerifier(pool, cache), cache),
    statusCache: cache,
    mailer,
    async close() {
      stopBroadcast?.();
      keys.stop();
      await mailer.close();
    },
  };
}
