import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import {
  startOidcProvider,
  startTestApp,
  useComponent,
  type OidcProviderHandle,
  type TestApp,
} from '@hearth/testkit';

export interface SessionBody {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  tokenType: 'Bearer';
}

export interface UserBody {
  id: string;
  email: string | null;
  emailVerified: boolean;
  role: string;
  anonymous: boolean;
  disabled: boolean;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const PASSWORD = 'correct horse battery staple';

/** An app whose rate limits are out of the way, unless a test sets HEARTH_RATE_LIMIT_FACTOR itself. */
export function startAuthApp(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000', ...env });
}

/**
 * The OpenID provider "testidp" and an auth app that signs in through it,
 * redirecting back only to `redirectOrigin`: both start before the file's
 * tests, and the tests skip together when the provider is unavailable.
 */
export function useTestIdpApp(redirectOrigin: string): {
  idp: () => OidcProviderHandle;
  app: () => TestApp;
} {
  const idp = useComponent<OidcProviderHandle>(() => startOidcProvider());
  const app = useComponent<TestApp>(
    async () => {
      const provider = idp();
      const started = await startAuthApp({
        HEARTH_OAUTH_PROVIDERS: JSON.stringify({
          testidp: {
            issuer: provider.issuer,
            clientId: provider.clientId,
            clientSecret: provider.clientSecret,
          },
        }),
        HEARTH_AUTH_REDIRECT_URLS: `${redirectOrigin}/`,
      });
      provider.setRedirectUris([`${started.url}/api/auth/oauth/testidp/callback`]);
      return started;
    },
    { timeoutMs: 60_000 },
  );
  return { idp, app };
}

export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.test`;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Mail written to the outbox (no SMTP configured), newest first; waits for background sends. */
export async function waitForOutboxMail(
  app: TestApp,
  to: string,
  subject: RegExp,
  timeoutMs = 5_000,
): Promise<{ text: string; link: string; token: string }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await app.hearth.pool.query<{ text: string; subject: string }>(
      'SELECT text, subject FROM hearth.outbox WHERE "to" = $1 ORDER BY created_at DESC',
      [to],
    );
    const mail = rows.find((row) => subject.test(row.subject));
    if (mail) {
      const link = /https?:\/\/\S+/.exec(mail.text)?.[0] ?? '';
      const token = new URL(link || 'http://x').searchParams.get('token') ?? '';
      return { text: mail.text, link, token };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

export async function outboxCount(app: TestApp, to: string): Promise<number> {
  const { rows } = await app.hearth.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM hearth.outbox WHERE "to" = $1',
    [to],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Signs up, confirms the address through the mailed link, and logs in. */
export async function signUpVerified(
  app: TestApp,
  email = uniqueEmail(),
  password = PASSWORD,
): Promise<{ email: string; user: UserBody; session: SessionBody }> {
  const signup = await app.request('POST', '/api/auth/signup', { body: { email, password } });
  expect(signup.status).toBe(201);
  const { token } = await waitForOutboxMail(app, email, /confirm your email/i);
  const verified = await app.request('POST', '/api/auth/email/verify', { body: { token } });
  expect(verified.status).toBe(200);
  const login = await app.request<{ user: UserBody; session: SessionBody }>('POST', '/api/auth/login', {
    body: { email, password },
  });
  expect(login.status).toBe(200);
  return { email, user: login.body.user, session: login.body.session };
}

/** Creates the first admin through the setup token, as an operator would. */
export async function createFirstAdmin(
  app: TestApp,
  email = uniqueEmail('admin'),
): Promise<{ email: string; user: UserBody; session: SessionBody }> {
  const { rows } = await app.hearth.pool.query<{ value: string }>(
    "SELECT value FROM hearth.secrets WHERE name = 'setup-token'",
  );
  const token = rows[0]?.value;
  if (!token) throw new Error('no setup token');
  const response = await app.request<{ user: UserBody; session: SessionBody }>('POST', '/api/admin/setup', {
    body: { token, email, password: PASSWORD },
  });
  expect(response.status).toBe(201);
  return { email, ...response.body };
}

/** A TOTP code for a time step near now (±1 step is accepted), so several codes in one test are distinct. */
export function totpCodeAt(secret: string, stepOffset: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({
    timestamp: Date.now() + stepOffset * 30_000,
  });
}

/** Turns TOTP on for a signed-in user (with a code of the step before now); returns the secret and recovery codes. */
export async function enrollTotp(
  app: TestApp,
  session: SessionBody,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const headers = bearer(session.accessToken);
  const enroll = await app.request<{ secret: string }>('POST', '/api/auth/mfa/totp/enroll', { headers });
  expect(enroll.status).toBe(200);
  const confirm = await app.request<{ recoveryCodes: string[] }>('POST', '/api/auth/mfa/totp/confirm', {
    headers,
    body: { code: totpCodeAt(enroll.body.secret, -1) },
  });
  expect(confirm.status).toBe(200);
  return { secret: enroll.body.secret, recoveryCodes: confirm.body.recoveryCodes };
}
