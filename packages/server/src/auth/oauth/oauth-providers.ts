import {
  allowInsecureRequests,
  ClientSecretBasic,
  ClientSecretPost,
  Configuration,
  discovery,
  type ClientAuth,
} from 'openid-client';
import type { OAuthProviderOption } from '../../config/config-options.js';
import { ConfigError } from '../../config/load-config.js';

/** A configured provider: an OpenID Connect issuer, or GitHub's plain OAuth2. */
export interface OAuthProvider {
  name: string;
  displayName: string;
  kind: 'oidc' | 'github';
  scopes: string[];
  /** Apple posts the callback as a form when email or name is requested. */
  responseMode: 'query' | 'form_post';
  configuration(): Promise<Configuration>;
}

type Preset = 'google' | 'apple' | 'microsoft' | 'github' | 'oidc';

const presets: Record<Exclude<Preset, 'oidc'>, { displayName: string; issuer?: string; scopes: string[] }> = {
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
};

const GITHUB_SERVER = {
  issuer: 'https://github.com',
  authorization_endpoint: 'https://github.com/login/oauth/authorize',
  token_endpoint: 'https://github.com/login/oauth/access_token',
};

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/**
 * Builds providers from HEARTH_OAUTH_PROVIDERS. A name that is a preset gets
 * its issuer and scopes; any other name is a generic OIDC provider and needs
 * "issuer". Discovery runs on first use and is cached.
 */
export function buildOAuthProviders(
  options: Record<string, OAuthProviderOption> | undefined,
): Map<string, OAuthProvider> {
  const providers = new Map<string, OAuthProvider>();
  for (const [name, option] of Object.entries(options ?? {})) {
    const presetName: Preset = option.preset ?? (name in presets ? (name as Preset) : 'oidc');
    const preset = presetName === 'oidc' ? undefined : presets[presetName];
    const kind = presetName === 'github' ? 'github' : 'oidc';
    let issuer = option.issuer ?? preset?.issuer;
    if (issuer?.includes('{tenant}')) issuer = issuer.replace('{tenant}', option.tenant ?? 'common');
    if (kind === 'oidc' && !issuer)
      throw new ConfigError(`HEARTH_OAUTH_PROVIDERS: ${name}: "issuer" is required`);
    const issuerUrl = issuer ? new URL(issuer) : undefined;
    if (issuerUrl && issuerUrl.protocol !== 'https:' && !isLoopback(issuerUrl)) {
      throw new ConfigError(`HEARTH_OAUTH_PROVIDERS: ${name}: the issuer must use https`);
    }
    const secret = option.clientSecret;
    const auth: ClientAuth =
      kind === 'github' || presetName === 'apple' ? ClientSecretPost(secret) : ClientSecretBasic(secret);
    let cached: Promise<Configuration> | undefined;
    const configuration = (): Promise<Configuration> => {
      if (kind === 'github') {
        cached ??= Promise.resolve(new Configuration(GITHUB_SERVER, option.clientId, secret, auth));
        return cached;
      }
      cached ??= discovery(issuerUrl!, option.clientId, secret, auth, {
        ...(issuerUrl!.protocol === 'http:' ? { execute: [allowInsecureRequests] } : {}),
      }).catch((error: unknown) => {
        cached = undefined; // retry discovery next time
        throw error;
      });
      return cached;
    };
    providers.set(name, {
      name,
      displayName: option.displayName ?? preset?.displayName ?? name,
      kind,
      scopes: option.scopes ?? preset?.scopes ?? ['openid', 'email', 'profile'],
      responseMode: presetName === 'apple' ? 'form_post' : 'query',
      configuration,
    });
  }
  return providers;
}
