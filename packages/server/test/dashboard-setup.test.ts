import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_PASSWORD, uniqueTestEmail, useChromium, type TestApp } from '@hearth/testkit';
import {
  addressOf,
  BROWSER_TEST_TIMEOUT,
  descriptionOf,
  focusedName,
  watchedPage,
} from './dashboard-test-helpers.js';

// The first-admin setup page, driven in Chromium with the real one-time link
// the server makes at first start (the one `hearth start` prints).
const browser = useChromium();
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ HEARTH_RATE_LIMIT_FACTOR: '1000' });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

describe('/_/setup', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const adminEmail = uniqueTestEmail('first-admin');

  it('explains a wrong token and keeps no token in the address bar', async () => {
    const state = await app.request<{ complete: boolean }>('GET', '/api/admin/setup');
    expect(state).toMatchObject({ status: 200, body: { complete: false } });
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/setup?token=not-the-token`);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    expect(addressOf(page)).toBe('/_/setup');
    await page.getByLabel('Email', { exact: true }).fill(adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel('Confirm password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/setup link is not valid/);
    expect(problems([403])).toEqual([]);
  });

  it('says what is wrong with the passwords, on the inputs, then creates the admin and signs in', async () => {
    const setupUrl = app.hearth.setupUrl;
    expect(setupUrl).toMatch(/\/_\/setup\?token=/);
    const { page, problems } = await watchedPage(browser());
    await page.goto(setupUrl!);
    await page.getByRole('heading', { name: 'Create the first admin' }).waitFor();
    expect(addressOf(page)).toBe('/_/setup');
    expect(await focusedName(page)).toBe('email');

    await page.getByLabel('Email', { exact: true }).fill(adminEmail);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel('Confirm password').fill('something else entirely');
    await page.getByRole('button', { name: 'Create admin' }).click();
    expect(await descriptionOf(page, 'Confirm password')).toContain('The two passwords are not the same.');
    expect(await page.getByLabel('Confirm password').getAttribute('aria-invalid')).toBe('true');
    expect(await focusedName(page)).toBe('confirmation');

    // The server's policy message, tied to the password input.
    await page.getByLabel('Password', { exact: true }).fill('password');
    await page.getByLabel('Confirm password').fill('password');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.locator('.field-error').waitFor();
    expect(await descriptionOf(page, 'Password')).toContain(
      'This password is on a list of commonly used passwords; choose another.',
    );
    expect(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid')).toBe('true');

    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByLabel('Confirm password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.waitForURL(`${app.url}/_/`);
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(adminEmail);
    await page.waitForSelector('[data-testid="server-state"]:text-is("Ready")');
    // The session is kept by the SDK in localStorage, so a reload stays signed in.
    await page.reload();
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(adminEmail);
    expect(problems([400])).toEqual([]);
    // The page adopted the session the setup call made: no second sign-in, no discarded session.
    const { rows } = await app.hearth.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM hearth.sessions s JOIN hearth.users u ON u.id = s.user_id WHERE u.email = $1',
      [adminEmail],
    );
    expect(Number(rows[0]?.n)).toBe(1);

    const login = await app.request<{ user: { role: string } }>('POST', '/api/auth/login', {
      body: { email: adminEmail, password: TEST_PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.role).toBe('admin');
  });

  it('a used setup link says it was used and points to sign-in, instead of showing the form', async () => {
    const { page, problems } = await watchedPage(browser());
    await page.goto(app.hearth.setupUrl!);
    await page.getByRole('heading', { name: 'Setup is complete' }).waitFor();
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/setup link was already used/);
    expect(await page.getByLabel('Email', { exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create admin' }).count()).toBe(0);
    expect(addressOf(page)).toBe('/_/setup');
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.url}/_/login`);
    expect(problems()).toEqual([]);
  });

  it('the API the page asks: GET /api/admin/setup says setup is complete, and a second use is still 409', async () => {
    const state = await app.request<{ complete: boolean }>('GET', '/api/admin/setup');
    expect(state).toMatchObject({ status: 200, body: { complete: true } });
    const token = new URL(app.hearth.setupUrl!).searchParams.get('token');
    const again = await app.request<{ error: { code: string } }>('POST', '/api/admin/setup', {
      body: { token, email: uniqueTestEmail('second-admin'), password: TEST_PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('admin/setup-complete');
  });

  it('without a token, says which link to open', async () => {
    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app.url}/_/setup`);
    await expect(page.getByRole('alert').textContent()).resolves.toMatch(/hearth start/);
    expect(problems()).toEqual([]);
  });
});
