import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useGitHubStandIn } from './use-components.js';

const CALLBACK = 'http://127.0.0.1:1/api/auth/oauth/github/callback';

describe('GitHub stand-in', () => {
  const github = useGitHubStandIn({ redirectUris: [CALLBACK] });

  function authorizeUrl(params: Record<string, string> = {}) {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${github().baseUrl}/login/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: github().clientId,
      redirect_uri: CALLBACK,
      scope: 'read:user user:email',
      state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...params,
    }).toString();
    return { url, verifier };
  }

  async function code(params: Record<string, string> = {}) {
    const { url, verifier } = authorizeUrl(params);
    const callback = await github().followAuthorization(url);
    expect(callback.searchParams.get('state')).toBe('st');
    return { code: callback.searchParams.get('code')!, verifier };
  }

  async function token(form: Record<string, string>, accept = 'application/json') {
    const response = await fetch(`${github().baseUrl}/login/oauth/access_token`, {
      method: 'POST',
      headers: { accept, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: github().clientId,
        client_secret: github().clientSecret,
        redirect_uri: CALLBACK,
        ...form,
      }),
    });
    expect(response.status).toBe(200); // GitHub answers errors with 200 too
    return response;
  }

  const api = (path: string, accessToken: string, headers: Record<string, string> = {}) =>
    fetch(`${github().baseUrl}/api/v3${path}`, {
      headers: { authorization: `Bearer ${accessToken}`, ...headers },
    });

  it('runs the web flow: code with PKCE, token as JSON, then /user and /user/emails', async () => {
    github().setAccount({
      id: 42,
      login: 'octo',
      emails: [{ email: 'octo@example.test', primary: true, verified: true }],
    });
    const { code: c, verifier } = await code();
    const body = (await (await token({ code: c, code_verifier: verifier })).json()) as Record<string, string>;
    expect(body).toMatchObject({ token_type: 'bearer', scope: 'read:user,user:email' });
    expect((await (await api('/user', body.access_token!)).json()) as unknown).toMatchObject({
      id: 42,
      login: 'octo',
    });
    expect(await (await api('/user/emails', body.access_token!)).json()).toEqual([
      { email: 'octo@example.test', primary: true, verified: true, visibility: 'private' },
    ]);
  });

  it('answers form-encoded unless the client asks for JSON', async () => {
    const { code: c, verifier } = await code();
    const response = await token({ code: c, code_verifier: verifier }, '*/*');
    expect(response.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(await response.text()).get('access_token')).toMatch(/^gho_/);
  });

  it('refuses a wrong secret, a wrong verifier, a spent code and a different redirect_uri', async () => {
    const first = await code();
    expect(
      await (await token({ code: first.code, code_verifier: first.verifier, client_secret: 'nope' })).json(),
    ).toMatchObject({
      error: 'incorrect_client_credentials',
    });
    const second = await code();
    expect(await (await token({ code: second.code, code_verifier: 'x'.repeat(43) })).json()).toMatchObject({
      error: 'bad_verification_code',
    });
    // That failed attempt spent the code, as on GitHub.
    expect(await (await token({ code: second.code, code_verifier: second.verifier })).json()).toMatchObject({
      error: 'bad_verification_code',
    });
    const third = await code();
    expect(
      await (
        await token({
          code: third.code,
          code_verifier: third.verifier,
          redirect_uri: 'http://127.0.0.1:1/other',
        })
      ).json(),
    ).toMatchObject({ error: 'redirect_uri_mismatch' });
  });

  it('refuses an unknown client, an unregistered redirect_uri and a missing PKCE challenge at authorize', async () => {
    const statusOf = async (params: Record<string, string>) =>
      (await fetch(authorizeUrl(params).url, { redirect: 'manual' })).status;
    expect(await statusOf({ client_id: 'someone-else' })).toBe(404);
    expect(await statusOf({ redirect_uri: 'http://127.0.0.1:1/elsewhere' })).toBe(400);
    expect(await statusOf({ code_challenge_method: 'plain' })).toBe(400);
  });

  it('checks the bearer token and the User-Agent on the API, and needs user:email for the addresses', async () => {
    expect((await api('/user', 'gho_forged')).status).toBe(401);
    const { code: c, verifier } = await code({ scope: 'read:user' });
    const { access_token: accessToken } = (await (
      await token({ code: c, code_verifier: verifier })
    ).json()) as {
      access_token: string;
    };
    expect((await api('/user', accessToken)).status).toBe(200);
    expect((await api('/user/emails', accessToken)).status).toBe(404);
    expect((await api('/user', accessToken, { 'user-agent': '' })).status).toBe(403);
  });

  it('serves a fault in place of an API answer until it is cleared', async () => {
    const { code: c, verifier } = await code();
    const { access_token: accessToken } = (await (
      await token({ code: c, code_verifier: verifier })
    ).json()) as {
      access_token: string;
    };
    github().setFault('/user', { status: 502, body: 'Bad Gateway' });
    expect((await api('/user', accessToken)).status).toBe(502);
    github().setFault('/user', undefined);
    expect((await api('/user', accessToken)).status).toBe(200);
  });
});
