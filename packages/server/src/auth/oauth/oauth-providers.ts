import {
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
  Configuration,
  discovery,
  enableNonRepudiationChecks,
  type ClientAuth,
} from 'openid-client';
import type { OAuthProviderOption } from '../../config/oauth-provider-options.js';
import { AppleClientSecret } from './apple-client-secret.js';

interface ProviderBase {
  name: string;
  displayName: string;
  scopes: string[];
  /** Apple posts the callback as a form when email or name is requested. */
  responseMode: 'query' | 'form_post';
  configuration(): Promise<Configuration>;
}

/** A configured provider: an OpenID Connect issuer, or GitHub's plain OAuth2. */
export type OAuthProvider =
  | (ProviderBase & { kind: 'oidc' })
  | (ProviderBase & {
      kind: 'github';
      /** The REST API root: https://api.github.com, or <baseUrl>/api/v3 on GitHub Enterprise Server. */
      apiUrl: string;
    });

const presets: Record<
  OAuthProviderOption['preset'],
  { displayName?: string; scopes: string[]; issuer?: string }
> = {
  google: {
    displayName: 'Google',
    issuer: 'https://accounts.google.com',
    scopes: ['openid', 'email', 'profile'],
  },
  apple: { displayName: 'Apple', issuer: 'https://appleid.apple.com', scopes: ['openid', 'email', 'name'] },
  microsoft: {
    displayName: 'Microsoft',
    issuer: 'https://login.microsoftonline.com/{tenant}/v2.0',
    scopes: ['openid', 'email', 'profile'],
  },
  github: { displayName: 'GitHub', scopes: ['read:user', 'user:email'] },
  oidc: { scopes: ['openid', 'email', 'profile'] },
};

const GITHUB_COM = 'https://github.com';

/** Where GitHub (github.com, or a GitHub Enterprise Server at baseUrl) takes the browser, the code and API calls. */
export function githubEndpoints(baseUrl: string | undefined): {
  server: { issuer: string; authorization_endpoint: string; token_endpoint: string };
  apiUrl: string;
} {
  const base = (baseUrl ?? GITHUB_COM).replace(/\/+$/, '');
  return {
    server: {
      issuer: base,
      authorization_endpoint: `${base}/login/oauth/authorize`,
      token_endpoint: `${base}/login/oauth/access_token`,
    },
    apiUrl: base === GITHUB_COM ? 'https://api.github.com' : `${base}/api/v3`,
  };
}

/** Sends client_id and a freshly minted Apple client-secret JWT in the form, as client_secret_post does. */
function appleClientAuth(secret: AppleClientSecret): ClientAuth {
  // oauth4webapi awaits the client authentication, so it may mint asynchronously.
  const authenticate = async (
    _as: unknown,
    client: { client_id: string },
    body: URLSearchParams,
  ): Promise<void> => {
    body.set('client_id', client.client_id);
    body.set('client_secret', await secret.current());
  };
  return authenticate as ClientAuth;
}

/** Caches a successful promise; a failed one (discovery unreachable) is retried next time. */
function cachedUntilFailure<T>(load: () => Promise<T>): () => Promise<T> {
  let cached: Promise<T> | undefined;
  return () => {
    cached ??= load().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
}

function githubProvider(option: Extract<OAuthProviderOption, { preset: 'github' }>) {
  const { server, apiUrl } = githubEndpoints(option.baseUrl);
  const configuration = cachedUntilFailure(async () => {
    const config = new Configuration(
      server,
      option.clientId,
      option.clientSecret,
      ClientSecretPost(option.clientSecret),
    );
    // Plain http passes the option schema only on loopback (a local stand-in).
    if (server.issuer.startsWith('http:')) allowInsecureRequests(config);
    return config;
  });
  return { kind: 'github' as const, apiUrl, configuration, responseMode: 'query' as const };
}

function oidcProvider(option: Exclude<OAuthProviderOption, { preset: 'github' }>) {
  const preset = presets[option.preset];
  let issuer = option.issuer ?? preset.issuer;
  if (option.preset === 'microsoft') issuer = issuer?.replace('{tenant}', option.tenant ?? 'common');
  // The option schema makes "issuer" required for the oidc preset; every other preset has one.
  const issuerUrl = new URL(issuer!);
  let auth: ClientAuth = ClientSecretBasic(option.clientSecret);
  if (option.preset === 'apple') {
    auth = option.privateKey
      ? appleClientAuth(
          new AppleClientSecret(
            { teamId: option.teamId!, keyId: option.keyId!, privateKey: option.privateKey },
            option.clientId,
            issuerUrl.href.replace(/\/$/, ''),
          ),
        )
      : ClientSecretPost(option.clientSecret);
  }
  const configuration = cachedUntilFailure(() =>
    discovery(issuerUrl, option.clientId, option.clientSecret, auth, {
      // ID tokens are checked against the provider's JWKS, not only trusted for arriving over TLS.
      execute: [
        enableNonRepudiationChecks,
        ...(issuerUrl.protocol === 'http:' ? [allowInsecureRequests] : []),
      ],
    }),
  );
  return {
    kind: 'oidc' as const,
    configuration,
    responseMode: option.preset === 'apple' ? ('form_post' as const) : ('query' as const),
  };
}

/**
 * Builds providers from HEARTH_OAUTH_PROVIDERS (already checked by the option
 * schema). A preset brings its issuer and scopes; the oidc preset needs
 * "issuer". Discovery runs on first use and is cached.
 */
export function buildOAuthProviders(
  options: Record<string, OAuthProviderOption> | undefined,
): Map<string, OAuthProvider> {
  const providers = new Map<string, OAuthProvider>();
  for (const [name, option] of Object.entries(options ?? {})) {
    const preset = presets[option.preset];
    const base = {
      name,
      displayName: option.displayName ?? preset.displayName ?? name,
      scopes: option.scopes ?? preset.scopes,
    };
    const provider: OAuthProvider =
      option.preset === 'github'
        ? { ...base, ...githubProvider(option) }
        : { ...base, ...oidcProvider(option) };
    providers.set(name, provider);
  }
  return providers;
}
