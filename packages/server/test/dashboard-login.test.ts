import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeaders,
  TEST_PASSWORD,
  uniqueTestEmail,
  useChromium,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';
import {
  addressOf,
  BROWSER_TEST_TIMEOUT,
  descriptionOf,
  focusedName,
  focusedRole,
  storedSession,
  watchedPage,
  type WatchedPage,
  startDashboardApp,
} from './dashboard-test-helpers.js';

// Admin sign-in to the dashboard, in Chromium against the real server.
const browser = useChromium();
let app: TestApp;
let admin: TestUser;
beforeAll(async () => ({ app, admin } = await startDashboardApp()), 60_000);
afterAll(() => app?.close());

async function createUser(role: 'user' | 'admin'): Promise<string> {
  const email = uniqueTestEmail(role);
  const created = await app.request('POST', '/api/admin/users', {
    headers: admin.headers,
    body: { email, password: TEST_PASSWORD, role, emailVerified: true },
  });
  expect(created.status).toBe(201);
  return email;
}

async function signIn(page: WatchedPage['page'], email: string, password = TEST_PASSWORD): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('dashboard sign-in', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('sends a visitor who is not signed in to /_/login', async () => {
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/`);
    await page.waitForURL(`${app.url}/_/login`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.title()).toBe('Sign in · Hearth');
    expect(problems()).toEqual([]);
  });

  it('says so when the password is wrong', async () => {
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/login`);
    await signIn(page, admin.email, 'not the password at all');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('The email or password is wrong.');
    // Focus lands on the message, so it is read out and the user is not lost.
    expect(await focusedRole(page)).toBe('alert');
    expect(await storedSession(page)).toBeNull();
    expect(problems([401])).toEqual([]);
  });

  it('signs an admin in to the home page, keeps the session across reloads, and signs out', async () => {
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/login`);
    await signIn(page, admin.email);
    await page.waitForURL(`${app.url}/_/`);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(admin.email);
    await page.waitForSelector('[data-testid="server-state"]:text-is("Ready")');
    expect(await page.textContent('.checks')).toContain('database');
    expect(await storedSession(page)).toContain('refreshToken');

    await page.reload();
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(admin.email);
    // /_/login with a session goes straight home.
    await page.goto(`${app.url}/_/login`);
    await page.waitForURL(`${app.url}/_/`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.url}/_/login`);
    expect(await storedSession(page)).toBeNull();
    await page.goto(`${app.url}/_/`);
    await page.waitForURL(`${app.url}/_/login`);
    expect(problems()).toEqual([]);
  });

  it('refuses a user who is not an admin, and keeps no session for them', async () => {
    const email = await createUser('user');
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/login`);
    await signIn(page, email);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      `${email} is not an admin account. The dashboard is for admins only.`,
    );
    expect(addressOf(page)).toBe('/_/login');
    expect(await storedSession(page)).toBeNull();
    expect(problems()).toEqual([]);
  });

  it('shows "admins only" to a signed-in admin who has since lost the role', async () => {
    const email = await createUser('admin');
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/login`);
    await signIn(page, email);
    await page.waitForURL(`${app.url}/_/`);
    const { body } = await app.request<{ items: Array<{ id: string }> }>(
      'GET',
      `/api/admin/users?search=${encodeURIComponent(email)}`,
      { headers: admin.headers },
    );
    const demoted = await app.request('PATCH', `/api/admin/users/${body.items[0]!.id}`, {
      headers: admin.headers,
      body: { role: 'user' },
    });
    expect(demoted.status).toBe(200);

    await page.reload();
    await page.getByTestId('admins-only').waitFor();
    expect(await page.getByTestId('admins-only').textContent()).toContain(email);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.url}/_/login`);
    expect(problems()).toEqual([]);
  });

  it('asks an admin with MFA for the code, says when it is wrong, and signs in with the right one', async () => {
    const email = await createUser('admin');
    const login = await app.request<{ session: { accessToken: string } }>('POST', '/api/auth/login', {
      body: { email, password: TEST_PASSWORD },
    });
    const headers = authHeaders(login.body.session.accessToken);
    const enroll = await app.request<{ secret: string }>('POST', '/api/auth/mfa/totp/enroll', { headers });
    const totp = new TOTP({ secret: Secret.fromBase32(enroll.body.secret), digits: 6, period: 30 });
    const previousStep = totp.generate({ timestamp: Date.now() - 30_000 });
    const confirmed = await app.request('POST', '/api/auth/mfa/totp/confirm', {
      headers,
      body: { code: previousStep },
    });
    expect(confirmed.status).toBe(200);

    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/login`);
    await signIn(page, email);
    await page.getByRole('heading', { name: 'Two-factor code' }).waitFor();
    expect(await focusedName(page)).toBe('code');

    const current = totp.generate();
    await page.getByLabel('Code', { exact: true }).fill(current === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('.field-error').waitFor();
    expect(await descriptionOf(page, 'Code')).toContain('The MFA code is wrong or already used.');

    await page.getByLabel('Code', { exact: true }).fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL(`${app.url}/_/`);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(email);
    expect(problems([401])).toEqual([]);
  });
});
