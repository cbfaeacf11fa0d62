import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useOidcProvider } from './use-components.js';

const CALLBACK = 'http://127.0.0.1:1/api/auth/oauth/test/callback';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  code_challenge_methods_supported: string[];
}

function decodeJwtPart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function verifiedClaims(idToken: string, jwksUri: string): Promise<Record<string, unknown>> {
  const [header, payload, signature] = idToken.split('.');
  const { kid, alg } = decodeJwtPart(header);
  expect(alg).toBe('RS256');
  const { keys } = (await (await fetch(jwksUri)).json()) as { keys: (JsonWebKey & { kid: string })[] };
  const jwk = keys.find((k) => k.kid === kid);
  if (jwk === undefined) throw new Error(`no key ${String(kid)} in JWKS`);
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signature ?? '', 'base64url'),
  );
  expect(ok).toBe(true);
  return decodeJwtPart(payload);
}

describe('OpenID provider', () => {
  const oidc = useOidcProvider({ redirectUris: [CALLBACK] });
  let discovery: Discovery;

  beforeAll(async () => {
    const response = await fetch(`${oidc().issuer}/.well-known/openid-configuration`);
    discovery = (await response.json()) as Discovery;
  });

  function authorizationUrl(params: Record<string, string>): URL {
    const url = new URL(discovery.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: oidc().clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid email profile',
      ...params,
    }).toString();
    return url;
  }

  it('publishes a discovery document for its issuer', () => {
    expect(discovery.issuer).toBe(oidc().issuer);
    expect(discovery.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(discovery.code_challenge_methods_supported).toContain('S256');
    expect(discovery.token_endpoint.startsWith(oidc().issuer)).toBe(true);
  });

  it('signs in as the chosen account through authorization code + PKCE with plain fetch', async () => {
    oidc().setAccount({
      sub: 'alice-42',
      email: 'alice@example.test',
      email_verified: true,
      name: 'Alice Ölander',
    });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const callback = await oidc().followAuthorization(
      authorizationUrl({
        state: 'st-1',
        nonce: 'n-1',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe('st-1');
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${oidc().clientId}:${oidc().clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: code ?? '',
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      }),
    });
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as { id_token: string; access_token: string; token_type: string };
    expect(tokens.token_type).toBe('Bearer');

    const claims = await verifiedClaims(tokens.id_token, discovery.jwks_uri);
    expect(claims).toMatchObject({
      iss: oidc().issuer,
      aud: oidc().clientId,
      sub: 'alice-42',
      email: 'alice@example.test',
      email_verified: true,
      name: 'Alice Ölander',
      nonce: 'n-1',
    });
  });

  it('refuses an authorization request without PKCE', async () => {
    const callback = await oidc().followAuthorization(authorizationUrl({ state: 'st-2' }));
    expect(callback.searchParams.get('error')).toBe('invalid_request');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('refuses a code redeemed with the wrong verifier', async () => {
    const challenge = createHash('sha256')
      .update('right-verifier-right-verifier-right-verifier')
      .digest('base64url');
    const callback = await oidc().followAuthorization(
      authorizationUrl({ state: 's', code_challenge: challenge, code_challenge_method: 'S256' }),
    );
    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        code_verifier: 'wrong-verifier-wrong-verifier-wrong-verifier',
        client_id: oidc().clientId,
        client_secret: oidc().clientSecret,
      }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid_grant|invalid_client/);
  });

  it('accepts redirect URIs set after start, once the app port is known', async () => {
    const late = 'http://127.0.0.1:2/late/callback';
    oidc().setRedirectUris([CALLBACK, late]);
    const challenge = createHash('sha256').update('v'.repeat(43)).digest('base64url');
    const callback = await oidc().followAuthorization(
      authorizationUrl({
        redirect_uri: late,
        state: 's3',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }),
    );
    expect(callback.pathname).toBe('/late/callback');
    expect(callback.searchParams.get('code')).toBeTruthy();
  });
});
