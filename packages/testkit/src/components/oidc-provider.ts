import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterPayload, ClientAuthMethod, Configuration } from 'oidc-provider';
import { closeOnce } from './close-once.js';
import { followAuthorization } from './follow-authorization.js';
import type { FollowAuthorizationOptions } from './follow-authorization.js';
import { memoryAdapterFactory } from './oidc-memory-adapter.js';
import { boundPort, listenOnLoopback } from './ports.js';

/** The identity the provider signs in as; becomes the ID token's claims. */
export interface OidcAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
}

export interface StartOidcProviderOptions {
  clientId?: string;
  clientSecret?: string;
  /** Can also be set later with setRedirectUris, once the app's port is known. */
  redirectUris?: string[];
  tokenEndpointAuthMethod?: Extract<ClientAuthMethod, 'client_secret_basic' | 'client_secret_post'>;
  /** Who signs in until setAccount says otherwise. */
  account?: OidcAccount;
}

export interface OidcProviderHandle {
  /** http://127.0.0.1:PORT; discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUris(): string[];
  setRedirectUris(uris: string[]): void;
  /** The account every following sign-in completes as (no login page, no consent page). */
  setAccount(account: OidcAccount): void;
  /**
   * Walks an authorization URL (the provider's, or the app's "start" URL that
   * redirects to it) and returns the redirect to one of the client's
   * redirect URIs, carrying `code` and `state` (or `error`).
   */
  followAuthorization(
    url: string | URL,
    options?: Omit<FollowAuthorizationOptions, 'isCallback'>,
  ): Promise<URL>;
  close(): Promise<void>;
}

const DEFAULT_ACCOUNT: OidcAccount = {
  sub: 'oidc-user-1',
  email: 'oidc-user-1@example.test',
  email_verified: true,
  name: 'OIDC Test User',
};

/**
 * An in-process OpenID provider that requires PKCE and completes its own
 * login and consent interactions, so a test can run the authorization-code
 * flow with plain fetch.
 */
export async function startOidcProvider(options: StartOidcProviderOptions = {}): Promise<OidcProviderHandle> {
  const { default: Provider } = await import('oidc-provider');
  const clientId = options.clientId ?? 'hearth-test';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const authMethod = options.tokenEndpointAuthMethod ?? 'client_secret_basic';
  let redirectUris = [...(options.redirectUris ?? [])];
  let account = options.account ?? DEFAULT_ACCOUNT;
  const accounts = new Map<string, OidcAccount>();

  // The issuer carries the port, so the socket is bound before the provider exists.
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await listenOnLoopback(server);
  const port = boundPort(server);
  const issuer = `http://127.0.0.1:${port}`;

  const clientMetadata = (id: string): AdapterPayload | undefined =>
    id !== clientId
      ? undefined
      : {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: redirectUris,
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
          token_endpoint_auth_method: authMethod,
        };

  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  };
  const configuration: Configuration = {
    adapter: memoryAdapterFactory(clientMetadata),
    jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    // Explicit lifetimes (seconds) also keep the provider from printing a notice for each default.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    // Providers like Google put email claims in the ID token; the app under test may rely on that.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture', 'locale'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, sub) => {
      const claims = accounts.get(sub);
      if (claims === undefined) return undefined;
      return { accountId: sub, claims: () => ({ ...claims, sub }) };
    },
    clientBasedCORS: () => true,
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuer, configuration);
  const providerCallback = provider.callback();

  const completeInteraction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      accounts.set(account.sub, account);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const accountId = details.session?.accountId;
    const grant =
      details.grantId === undefined
        ? new provider.Grant({ accountId, clientId: String(details.params['client_id']) })
        : await provider.Grant.find(details.grantId);
    if (grant === undefined) throw new Error(`grant ${String(details.grantId)} vanished`);
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  handle = (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      completeInteraction(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`interaction failed: ${String(error)}`);
      });
      return;
    }
    void providerCallback(req, res);
  };

  const isRedirectUri = (url: URL): boolean => redirectUris.includes(`${url.origin}${url.pathname}`);

  return {
    issuer,
    port,
    clientId,
    clientSecret,
    redirectUris: () => [...redirectUris],
    setRedirectUris: (uris) => {
      redirectUris = [...uris];
    },
    setAccount: (next) => {
      account = next;
      accounts.set(next.sub, next);
    },
    followAuthorization: (url, walkOptions = {}) =>
      followAuthorization(url, { ...walkOptions, isCallback: isRedirectUri }),
    close: closeOnce(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  };
}
