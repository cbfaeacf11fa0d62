import { randomBytes } from 'node:crypto';
import { startTestApp, type TestApp } from './test-app.js';

/** A password that passes the policy. */
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  token: string;
  headers: Record<string, string>;
}

export function authHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

export function uniqueTestEmail(tag = 'user'): string {
  return `${tag}-${randomBytes(5).toString('hex')}@example.test`;
}

/**
 * An app where sign-up returns a session at once (no email confirmation)
 * and rate limits stay out of the way, for tests that need many users.
 */
export function startAppWithOpenSignup(env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ HEARTH_AUTH_CONFIRM_EMAIL: 'false', HEARTH_RATE_LIMIT_FACTOR: '1000', ...env });
}

async function expectOk<T>(response: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const { status, body } = await response;
  if (status >= 300) throw new Error(`${what} failed with ${status}: ${JSON.stringify(body)}`);
  return body;
}

/** Signs a user up through the API (needs HEARTH_AUTH_CONFIRM_EMAIL=false) and returns its bearer token. */
export async function signUpTestUser(app: TestApp, email = uniqueTestEmail()): Promise<TestUser> {
  const body = await expectOk(
    app.request<{ user: { id: string }; session: { accessToken: string } | null }>(
      'POST',
      '/api/auth/signup',
      {
        body: { email, password: TEST_PASSWORD },
      },
    ),
    'sign-up',
  );
  if (!body.session)
    throw new Error('sign-up returned no session: start the app with HEARTH_AUTH_CONFIRM_EMAIL=false');
  return {
    id: body.user.id,
    email,
    token: body.session.accessToken,
    headers: authHeaders(body.session.accessToken),
  };
}

/** Creates the first admin with the one-time setup token, as an operator would. */
export async function createTestAdmin(app: TestApp, email = uniqueTestEmail('admin')): Promise<TestUser> {
  const token = app.hearth.setupUrl ? new URL(app.hearth.setupUrl).searchParams.get('token') : null;
  if (!token) throw new Error('no setup token: the first admin exists already');
  const body = await expectOk(
    app.request<{ user: { id: string }; session: { accessToken: string } }>('POST', '/api/admin/setup', {
      body: { token, email, password: TEST_PASSWORD },
    }),
    'admin setup',
  );
  return {
    id: body.user.id,
    email,
    token: body.session.accessToken,
    headers: authHeaders(body.session.accessToken),
  };
}

/** Creates a service key with an admin's token; returns the key and its headers. */
export async function createTestServiceKey(
  app: TestApp,
  adminToken: string,
  name = 'test key',
): Promise<{ id: string; key: string; headers: Record<string, string> }> {
  const body = await expectOk(
    app.request<{ id: string; key: string }>('POST', '/api/admin/keys', {
      body: { name },
      headers: authHeaders(adminToken),
    }),
    'service key',
  );
  return { id: body.id, key: body.key, headers: authHeaders(body.key) };
}

/** Applies a schema document as an admin; throws with the server's answer when it is refused. */
export async function applyTestSchema(
  app: TestApp,
  headers: Record<string, string>,
  schema: unknown,
  options: { allowDestructive?: boolean } = {},
): Promise<{ version: number | null; plan: unknown[] }> {
  return expectOk(
    app.request<{ version: number | null; plan: unknown[] }>('PUT', '/api/admin/schema', {
      body: { schema, ...(options.allowDestructive ? { allowDestructive: true } : {}) },
      headers,
    }),
    'schema push',
  );
}
