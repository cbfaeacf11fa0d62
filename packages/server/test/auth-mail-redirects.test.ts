import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, useComponent, type CapturedMail, type SmtpSink, type TestApp } from '@hearth/testkit';
import {
  bearer,
  PASSWORD,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

/**
 * redirectTo on the endpoints that send auth mail: the link in the delivered
 * mail points at the app's own page, allowed by HEARTH_AUTH_REDIRECT_URLS,
 * and its token works; anything else is refused before an account is looked at.
 */

const APP = 'https://app.example.com';
const sink = useComponent<SmtpSink>(() => startSmtpSink());
let app: TestApp | undefined;

beforeAll(async () => {
  let smtpUrl: string;
  try {
    smtpUrl = sink().url;
  } catch {
    return; // the sink is unavailable: useComponent skips every test
  }
  app = await startAuthApp({
    HEARTH_SMTP_URL: smtpUrl,
    HEARTH_AUTH_REDIRECT_URLS: `${APP}/, myapp://auth/`,
  });
});
afterAll(async () => {
  await app?.close();
});

const mailTo = (email: string, subject: RegExp) =>
  sink().waitForMail((m) => m.to.includes(email) && subject.test(m.subject));
const mailCount = (email: string) => sink().messages.filter((m) => m.to.includes(email)).length;

/** The one link of `mail` that points at the app. */
function appLink(mail: CapturedMail): URL {
  const links = mail.links.filter((link) => link.startsWith(`${APP}/`));
  expect(links, mail.text).toHaveLength(1);
  expect(mail.text).not.toContain('/_/auth/');
  return new URL(links[0]!);
}

async function signUpVerified(
  email = uniqueEmail('redir'),
): Promise<{ email: string; session: SessionBody }> {
  await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
  const mail = await mailTo(email, /confirm your email/i);
  const token = new URL(mail.links[0]!).searchParams.get('token');
  expect((await app!.request('POST', '/api/auth/email/verify', { body: { token } })).status).toBe(200);
  const login = await app!.request<{ session: SessionBody }>('POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return { email, session: login.body.session };
}

describe('mail links to the app’s own pages', () => {
  it('sign-up: the confirmation link goes to redirectTo, keeps its query and fragment, and its token confirms', async () => {
    const email = uniqueEmail('signup');
    const redirectTo = `${APP}/auth/callback?lang=fr&next=%2Fwelcome#done`;
    const signup = await app!.request('POST', '/api/auth/signup', {
      body: { email, password: PASSWORD, redirectTo },
    });
    expect(signup.status).toBe(201);
    const link = appLink(await mailTo(email, /confirm your email/i));
    expect(`${link.origin}${link.pathname}`).toBe(`${APP}/auth/callback`);
    expect(link.searchParams.get('lang')).toBe('fr');
    expect(link.searchParams.get('next')).toBe('/welcome');
    expect(link.searchParams.get('type')).toBe('verify-email');
    expect(link.hash).toBe('#done');

    const verify = await app!.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token: link.searchParams.get('token') },
    });
    expect(verify.status).toBe(200);
    expect(verify.body.user).toMatchObject({ email, emailVerified: true });
    const login = await app!.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    expect(login.status).toBe(200);
  });

  it('forgot password: the reset link goes to redirectTo with type=reset-password, and its token resets', async () => {
    const { email } = await signUpVerified();
    const forgot = await app!.request('POST', '/api/auth/password/forgot', {
      body: { email, redirectTo: `${APP}/reset` },
    });
    expect(forgot.status).toBe(202);
    const link = appLink(await mailTo(email, /reset your password/i));
    expect(link.pathname).toBe('/reset');
    expect(link.searchParams.get('type')).toBe('reset-password');
    const reset = await app!.request('POST', '/api/auth/password/reset', {
      body: { token: link.searchParams.get('token'), password: 'a brand new passphrase' },
    });
    expect(reset.status).toBe(200);
    const login = await app!.request('POST', '/api/auth/login', {
      body: { email, password: 'a brand new passphrase' },
    });
    expect(login.status).toBe(200);
  });

  it('resend confirmation (signed out): the link goes to redirectTo and its token confirms', async () => {
    const email = uniqueEmail('resend');
    await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    await mailTo(email, /confirm your email/i);
    const resend = await app!.request('POST', '/api/auth/email/verify/resend', {
      body: { email, redirectTo: `${APP}/confirm` },
    });
    expect(resend.status).toBe(202);
    const mail = await sink().waitForMail(
      (m) => m.to.includes(email) && m.links.some((link) => link.startsWith(`${APP}/confirm?`)),
    );
    const link = appLink(mail);
    expect(link.searchParams.get('type')).toBe('verify-email');
    const verify = await app!.request('POST', '/api/auth/email/verify', {
      body: { token: link.searchParams.get('token') },
    });
    expect(verify.status).toBe(200);
  });

  it('resend confirmation (signed in): the link to the user’s own address goes to redirectTo', async () => {
    const { email, session } = await signUpVerified();
    await app!.hearth.pool.query('UPDATE hearth.users SET "emailVerified" = false WHERE email = $1', [email]);
    const resend = await app!.request('POST', '/api/auth/email/verify/resend', {
      headers: bearer(session.accessToken),
      body: { redirectTo: `${APP}/confirm-again` },
    });
    expect(resend.status).toBe(202);
    const mail = await sink().waitForMail(
      (m) => m.to.includes(email) && m.links.some((link) => link.startsWith(`${APP}/confirm-again?`)),
    );
    const verify = await app!.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token: appLink(mail).searchParams.get('token') },
    });
    expect(verify.body.user.emailVerified).toBe(true);
  });

  it('email change: the link to the new address goes to redirectTo with type=change-email, and moves the account', async () => {
    const { session } = await signUpVerified();
    const newEmail = uniqueEmail('moved');
    const patch = await app!.request<{ emailChangePending: boolean }>('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { email: newEmail, redirectTo: `${APP}/account/email` },
    });
    expect(patch.status).toBe(200);
    expect(patch.body.emailChangePending).toBe(true);
    const link = appLink(await mailTo(newEmail, /new email address/i));
    expect(link.pathname).toBe('/account/email');
    expect(link.searchParams.get('type')).toBe('change-email');
    const confirm = await app!.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token: link.searchParams.get('token') },
    });
    expect(confirm.body.user).toMatchObject({ email: newEmail, emailVerified: true });
  });

  it('a second sign-up of a registered address: the notice links to redirectTo with type=account-exists and no token', async () => {
    const { email } = await signUpVerified();
    const again = await app!.request('POST', '/api/auth/signup', {
      body: { email, password: PASSWORD, redirectTo: `${APP}/auth` },
    });
    expect(again.status).toBe(201);
    const link = appLink(await mailTo(email, /already have an account/i));
    expect(link.searchParams.get('type')).toBe('account-exists');
    expect(link.searchParams.has('token')).toBe(false);
  });

  it('a native app’s custom scheme in the allowlist gets the link too', async () => {
    const { email } = await signUpVerified();
    await app!.request('POST', '/api/auth/password/forgot', {
      body: { email, redirectTo: 'myapp://auth/reset' },
    });
    const mail = await mailTo(email, /reset your password/i);
    const raw = /myapp:\/\/\S+/.exec(mail.text ?? '')?.[0];
    const link = new URL(raw ?? 'myapp://missing');
    expect(`${link.protocol}//${link.host}${link.pathname}`).toBe('myapp://auth/reset');
    expect(link.searchParams.get('type')).toBe('reset-password');
    expect(link.searchParams.get('token')).toBeTruthy();
  });

  it('a redirectTo cannot smuggle in a token or type of its own', async () => {
    const { email } = await signUpVerified();
    await app!.request('POST', '/api/auth/password/forgot', {
      body: { email, redirectTo: `${APP}/reset?token=planted&type=verify-email` },
    });
    const link = appLink(await mailTo(email, /reset your password/i));
    expect(link.searchParams.getAll('token')).toHaveLength(1);
    expect(link.searchParams.get('token')).not.toBe('planted');
    expect(link.searchParams.getAll('type')).toEqual(['reset-password']);
  });
});

describe('refused redirects', () => {
  const notAllowed = [
    'https://evil.example/reset',
    'javascript:alert(document.cookie)',
    'JAVASCRIPT:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '//evil.example/reset',
    'https://app.example.com@evil.example/',
    'https://app.example.com.evil.example/',
    'https://user:pass@app.example.com/',
    'http://app.example.com/',
    'https://app.example.com:8443/',
    'https://evil.example\\@app.example.com/',
    '/relative/reset',
    'myapp://evil/reset',
    'otherapp://auth/reset',
  ];
  const wrongType: unknown[] = [
    123,
    true,
    null,
    ['https://app.example.com/'],
    { href: 'https://app.example.com/' },
  ];
  const overlong = `${APP}/${'a'.repeat(2100)}`;

  /** Each endpoint that sends auth mail, with a body for `email` and `redirectTo`. */
  const endpoints = (session?: SessionBody) =>
    [
      [
        'POST',
        '/api/auth/signup',
        (email: string, redirectTo: unknown) => ({ email, password: PASSWORD, redirectTo }),
      ],
      ['POST', '/api/auth/password/forgot', (email: string, redirectTo: unknown) => ({ email, redirectTo })],
      [
        'POST',
        '/api/auth/email/verify/resend',
        (email: string, redirectTo: unknown) => ({ email, redirectTo }),
      ],
      ...(session
        ? ([
            ['PATCH', '/api/auth/me', (email: string, redirectTo: unknown) => ({ email, redirectTo })],
          ] as const)
        : []),
    ] as const;

  it('answers 400 auth/redirect-not-allowed on every mail endpoint, and sends no mail at all', async () => {
    const { email: registered, session } = await signUpVerified();
    const sent = mailCount(registered);
    const newAddress = uniqueEmail('never');
    for (const [method, path, body] of endpoints(session)) {
      for (const target of notAllowed) {
        for (const email of [registered, newAddress]) {
          const response = await app!.request<ErrorBody>(method, path, {
            body: body(email, target),
            ...(method === 'PATCH' ? { headers: bearer(session.accessToken) } : {}),
          });
          expect(response.status, `${path} ${target}`).toBe(400);
          expect(response.body.error.code, `${path} ${target}`).toBe('auth/redirect-not-allowed');
          expect(JSON.stringify(response.body)).not.toContain('evil');
        }
      }
    }
    // The refused sign-ups created nothing: the address is still free, so a plain sign-up is a new account.
    const fresh = await app!.request('POST', '/api/auth/signup', {
      body: { email: newAddress, password: PASSWORD },
    });
    expect(fresh.status).toBe(201);
    await mailTo(newAddress, /confirm your email/i);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailCount(newAddress)).toBe(1);
    expect(mailCount(registered)).toBe(sent);
    expect(sink().messages.some((m) => /evil|javascript|data:/i.test(m.text ?? ''))).toBe(false);
    // Nor did the refused email change start: the account keeps its address.
    const me = await app!.request<{ user: UserBody }>('GET', '/api/auth/me', {
      headers: bearer(session.accessToken),
    });
    expect(me.body.user.email).toBe(registered);
  });

  it('answers 400 validation/failed to a redirectTo of the wrong type or too long', async () => {
    const email = uniqueEmail('types');
    for (const [method, path, body] of endpoints()) {
      for (const target of [...wrongType, overlong]) {
        const response = await app!.request<ErrorBody>(method, path, { body: body(email, target) });
        expect(response.status, `${path} ${JSON.stringify(target).slice(0, 40)}`).toBe(400);
        expect(response.body.error.code).toBe('validation/failed');
        expect(JSON.stringify(response.body.error.details)).toContain('redirectTo');
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailCount(email)).toBe(0);
  });

  it('an empty redirectTo means none: the link stays the dashboard page', async () => {
    const { email } = await signUpVerified();
    await app!.request('POST', '/api/auth/password/forgot', { body: { email, redirectTo: '' } });
    const mail = await mailTo(email, /reset your password/i);
    expect(mail.links.some((link) => link.includes('/_/auth/reset-password?token='))).toBe(true);
  });
});

describe('account enumeration stays impossible with redirectTo', () => {
  it('forgot password and resend answer the same for a registered and an unknown address', async () => {
    const { email: registered } = await signUpVerified();
    const unknown = uniqueEmail('ghost');
    for (const path of ['/api/auth/password/forgot', '/api/auth/email/verify/resend']) {
      for (const redirectTo of [`${APP}/auth`, 'https://evil.example/']) {
        const [a, b] = await Promise.all(
          [registered, unknown].map((email) => app!.request(`POST`, path, { body: { email, redirectTo } })),
        );
        expect(a!.status, `${path} ${redirectTo}`).toBe(b!.status);
        expect(a!.body).toEqual(b!.body);
      }
    }
  });

  it('sign-up answers the same shape for a new and a registered address, with or without a refused redirectTo', async () => {
    const { email: registered } = await signUpVerified();
    const fresh = uniqueEmail('fresh');
    const shape = (response: { status: number; body: unknown }) => {
      const body = response.body as { user?: UserBody; session?: unknown; error?: unknown };
      return {
        status: response.status,
        keys: Object.keys(body).sort(),
        userKeys: Object.keys(body.user ?? {}).sort(),
        session: body.session,
        verified: body.user?.emailVerified,
        error: body.error,
      };
    };
    for (const redirectTo of [`${APP}/auth`, 'https://app.example.com.evil.example/']) {
      const [known, unknown] = await Promise.all(
        [registered, fresh].map((email) =>
          app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD, redirectTo } }),
        ),
      );
      expect(shape(known!)).toEqual(shape(unknown!));
    }
  });
});
