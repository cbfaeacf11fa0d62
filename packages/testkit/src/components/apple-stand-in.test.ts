import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, importPKCS8, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { useAppleStandIn } from './use-components.js';

const CALLBACK = 'http://127.0.0.1:1/api/auth/oauth/apple/callback';

describe('Apple stand-in', () => {
  const apple = useAppleStandIn({ redirectUris: [CALLBACK] });

  async function formFor(params: Record<string, string> = {}) {
    const url = new URL(`${apple().issuer}/auth/authorize`);
    url.search = new URLSearchParams({
      client_id: apple().clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'openid email name',
      state: 'st',
      nonce: 'n-1',
      ...params,
    }).toString();
    return apple().authorize(url);
  }

  interface SecretClaims {
    alg?: string;
    kid?: string;
    iss?: string;
    sub?: string;
    aud?: string;
    lifetime?: string;
    key?: Parameters<SignJWT['sign']>[0];
  }

  async function clientSecret(claims: SecretClaims = {}) {
    return new SignJWT({})
      .setProtectedHeader({ alg: claims.alg ?? 'ES256', kid: claims.kid ?? apple().keyId })
      .setIssuer(claims.iss ?? apple().teamId)
      .setSubject(claims.sub ?? apple().clientId)
      .setAudience(claims.aud ?? apple().issuer)
      .setIssuedAt()
      .setExpirationTime(claims.lifetime ?? '5m')
      .sign(claims.key ?? (await importPKCS8(apple().privateKeyPem, 'ES256')));
  }

  async function token(code: string, secret: string, extra: Record<string, string> = {}) {
    const response = await fetch(`${apple().issuer}/auth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: apple().clientId,
        client_secret: secret,
        code,
        grant_type: 'authorization_code',
        redirect_uri: CALLBACK,
        ...extra,
      }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  it('posts a form with code, state and (the first time) the user’s name', async () => {
    apple().setAccount({
      sub: 'first-time',
      email: 'a@example.test',
      email_verified: 'true',
      name: { firstName: 'Ada', lastName: 'Lovelace' },
    });
    const first = await formFor();
    expect(first.action.href).toBe(CALLBACK);
    expect(first.fields.get('state')).toBe('st');
    expect(JSON.parse(first.fields.get('user')!)).toEqual({
      name: { firstName: 'Ada', lastName: 'Lovelace' },
      email: 'a@example.test',
    });
    expect((await formFor()).fields.has('user')).toBe(false);
  });

  it('trades a code for an ID token with Apple’s string booleans, signed by its JWKS key', async () => {
    apple().setAccount({
      sub: 'jwks-user',
      email: 'b@example.test',
      email_verified: 'true',
      is_private_email: 'false',
    });
    const form = await formFor();
    const { status, body } = await token(form.fields.get('code')!, await clientSecret());
    expect(status).toBe(200);
    const { payload } = await jwtVerify(
      body.id_token!,
      createRemoteJWKSet(new URL(`${apple().issuer}/auth/keys`)),
      {
        issuer: apple().issuer,
        audience: apple().clientId,
      },
    );
    expect(payload).toMatchObject({
      sub: 'jwks-user',
      email_verified: 'true',
      is_private_email: 'false',
      nonce: 'n-1',
    });
  });

  it('refuses client secrets Apple would refuse', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const secrets: Array<[string, string]> = [
      ['another key', await clientSecret({ key: stranger })],
      ['another kid', await clientSecret({ kid: 'OTHERKEY00' })],
      ['another team', await clientSecret({ iss: 'OTHERTEAM0' })],
      ['another client', await clientSecret({ sub: 'com.example.other' })],
      ['another audience', await clientSecret({ aud: 'https://example.test' })],
      ['over six months', await clientSecret({ lifetime: '200d' })],
      ['expired', await clientSecret({ lifetime: '-1m' })],
      ['not a JWT', 'a-plain-secret'],
    ];
    for (const [name, secret] of secrets) {
      const form = await formFor();
      expect(await token(form.fields.get('code')!, secret), name).toEqual({
        status: 400,
        body: { error: 'invalid_client' },
      });
    }
  });

  it('spends a code once and checks the PKCE verifier when a challenge was sent', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const form = await formFor({ code_challenge: challenge, code_challenge_method: 'S256' });
    const code = form.fields.get('code')!;
    expect((await token(code, await clientSecret(), { code_verifier: 'x'.repeat(43) })).body).toEqual({
      error: 'invalid_grant',
    });
    expect((await token(code, await clientSecret(), { code_verifier: verifier })).body).toEqual({
      error: 'invalid_grant',
    });
  });

  it('insists on form_post when email or name is asked for', async () => {
    await expect(formFor({ response_mode: 'query' })).rejects.toThrow(/response_mode must be form_post/);
  });
});
