import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, HearthError, type AuthChangeEvent, type HearthClient } from '@hearth/client';
import {
  startOidcProvider,
  startTestApp,
  useComponent,
  type OidcProviderHandle,
  type TestApp,
} from '@hearth/testkit';

/**
 * The SDK's OAuth redirect flow against the real server and a real local
 * OpenID provider: signInWithOAuth → provider → server callback → the app's
 * redirect URL with a one-time code → completeOAuthSignIn.
 */

const APP_ORIGIN = 'http://app.example.test';
const idp = useComponent<OidcProviderHandle>(() => startOidcProvider());
let app: TestApp | undefined;
const clients: HearthClient[] = [];

beforeAll(async () => {
  let provider: OidcProviderHandle;
  try {
    provider = idp();
  } catch {
    return; // no provider: useComponent skips every test, visibly
  }
  app = await startTestApp({
    HEARTH_OAUTH_PROVIDERS: JSON.stringify({
      testidp: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
    }),
    HEARTH_AUTH_REDIRECT_URLS: `${APP_ORIGIN}/`,
    HEARTH_AUTH_CONFIRM_EMAIL: 'false',
    HEARTH_RATE_LIMIT_FACTOR: '1000',
  });
  provider.setRedirectUris([`${app.url}/api/auth/oauth/testidp/callback`]);
});

afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await app?.close();
});

function client() {
  const hearth = createClient(app!.url);
  clients.push(hearth);
  const events: AuthChangeEvent[] = [];
  hearth.auth.onAuthStateChange((event) => events.push(event));
  return { auth: hearth.auth, events };
}

/** What the browser does between the start URL and the app's callback page: returns that page's URL. */
async function throughProvider(startUrl: string): Promise<string> {
  const serverCallback = await idp().followAuthorization(startUrl);
  const response = await fetch(serverCallback, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  expect(response.status).toBe(302);
  return new URL(location!, serverCallback).href;
}

describe('OAuth sign-in through the SDK', () => {
  it('lists the providers', async () => {
    const providers = await client().auth.listProviders();
    expect(providers.map((p) => p.name)).toEqual(['testidp']);
  });

  it('signs in: start URL → provider → callback page with a code → session', async () => {
    const email = `oidc-${randomBytes(4).toString('hex')}@example.test`;
    idp().setAccount({ sub: `sub-${randomBytes(6).toString('hex')}`, email, email_verified: true });
    const { auth, events } = client();

    const { url } = await auth.signInWithOAuth({ provider: 'testidp', redirectTo: `${APP_ORIGIN}/done` });
    expect(url).toBe(
      `${app!.url}/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`,
    );
    const callbackPage = await throughProvider(url);
    expect(new URL(callbackPage).searchParams.get('code')).toBeTruthy();

    const result = await auth.completeOAuthSignIn(callbackPage);
    expect(result?.user?.email).toBe(email);
    expect(auth.user()).toMatchObject({ email, emailVerified: true });
    expect((await auth.getUser())?.email).toBe(email);
    expect(events).toEqual(['SIGNED_IN']);

    // The code is single-use.
    const replay = await auth
      .exchangeOAuthCode(new URL(callbackPage).searchParams.get('code')!)
      .catch((e) => e);
    expect(replay).toBeInstanceOf(HearthError);
    expect((replay as HearthError).status).toBeGreaterThanOrEqual(400);
  });

  it('links a provider to an email account, lists it, and unlinks it', async () => {
    const { auth } = client();
    const email = `link-${randomBytes(4).toString('hex')}@example.test`;
    await auth.signUp({ email, password: 'correct horse battery staple' });
    idp().setAccount({ sub: `sub-${randomBytes(6).toString('hex')}`, email, email_verified: true });

    const { url } = await auth.linkIdentity({ provider: 'testidp', redirectTo: `${APP_ORIGIN}/linked` });
    const callbackPage = new URL(await throughProvider(url));
    expect(callbackPage.searchParams.get('linked')).toBe('testidp');
    await expect(auth.completeOAuthSignIn(callbackPage)).resolves.toBeNull();

    expect((await auth.listIdentities()).map((i) => i.provider)).toEqual(['testidp']);
    await auth.unlinkIdentity('testidp');
    expect(await auth.listIdentities()).toEqual([]);
  });

  it('an unknown provider rejects with its code', async () => {
    const { auth } = client();
    const { url } = await auth.signInWithOAuth({ provider: 'nope', redirectTo: `${APP_ORIGIN}/done` });
    const response = await fetch(url, { redirect: 'manual' });
    const body = (await response.json()) as { error: { code: string } };
    expect(body.error.code).toBe('auth/unknown-provider');
  });
});
