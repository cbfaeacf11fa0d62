import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearer, signUpVerified, uniqueEmail, useTestIdpApp } from './auth-test-helpers.js';

const APP_ORIGIN = 'http://app.example.test';
const { idp, app } = useTestIdpApp(APP_ORIGIN);

/** The provider's next sign-in is as a new subject with this address. */
function providerAccount(email: string): string {
  const sub = `sub-${randomBytes(6).toString('hex')}`;
  idp().setAccount({ sub, email, email_verified: true });
  return sub;
}

/** Follows a provider URL to Hearth's callback and returns where Hearth sends the browser (status and URL). */
async function finish(providerUrl: string): Promise<{ status: number; location: URL | undefined }> {
  const callback = await idp().followAuthorization(providerUrl);
  const response = await fetch(callback, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location) : undefined };
}

async function linkAs(accessToken: string): Promise<{ status: number; location: URL | undefined }> {
  const link = await app().request<{ url: string }>('POST', '/api/auth/oauth/testidp/link', {
    headers: bearer(accessToken),
    body: { redirectTo: `${APP_ORIGIN}/settings` },
  });
  expect(link.status).toBe(200);
  return finish(link.body.url);
}

async function identitySubjects(email: string): Promise<string[]> {
  const { rows } = await app().hearth.pool.query<{ subject: string }>(
    `SELECT i.subject FROM hearth.identities i JOIN hearth.users u ON u.id = i.user_id WHERE u.email = $1`,
    [email],
  );
  return rows.map((row) => row.subject);
}

describe('a second subject of the same provider', () => {
  it('linking a second provider account answers a redirect with ?error=, not 500, and keeps the first', async () => {
    const { email, session } = await signUpVerified(app());
    const first = providerAccount(uniqueEmail('first'));
    const linked = await linkAs(session.accessToken);
    expect(linked.location?.searchParams.get('linked')).toBe('testidp');

    providerAccount(uniqueEmail('second'));
    const again = await linkAs(session.accessToken);
    expect(again.status).toBe(302);
    expect(again.location?.origin).toBe(APP_ORIGIN);
    expect(again.location?.pathname).toBe('/settings');
    expect(again.location?.searchParams.get('error')).toBe('auth/identity-conflict');
    expect(await identitySubjects(email)).toEqual([first]);
  });

  it('signing in with a second subject whose verified email is an account already linked to the provider answers ?error=, not 500', async () => {
    const { email, session } = await signUpVerified(app());
    const first = providerAccount(uniqueEmail('first'));
    expect((await linkAs(session.accessToken)).location?.searchParams.get('linked')).toBe('testidp');

    providerAccount(email);
    const signIn = await finish(
      `${app().url}/api/auth/oauth/testidp/start?redirectTo=${encodeURIComponent(`${APP_ORIGIN}/done`)}`,
    );
    expect(signIn.status).toBe(302);
    expect(signIn.location?.pathname).toBe('/done');
    expect(signIn.location?.searchParams.get('error')).toBe('auth/identity-conflict');
    expect(signIn.location?.searchParams.get('code')).toBeNull();
    expect(await identitySubjects(email)).toEqual([first]);
  });
});
