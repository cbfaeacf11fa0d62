import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authHeaders,
  startTestApp,
  TEST_PASSWORD,
  uniqueTestEmail,
  useChromium,
  useSmtpSink,
  type CapturedMail,
  type TestApp,
} from '@hearth/testkit';
import { addressOf, BROWSER_TEST_TIMEOUT, descriptionOf, watchedPage } from './dashboard-test-helpers.js';

// The links in Hearth's mail open dashboard pages. Each test takes the real
// link from a mail caught by an SMTP sink and follows it in Chromium.
const sink = useSmtpSink();
const browser = useChromium();
let app: TestApp | undefined;
beforeAll(async () => {
  let smtpUrl: string;
  try {
    smtpUrl = sink().url;
  } catch {
    return; // the sink is unavailable: useComponent skips every test
  }
  app = await startTestApp({ HEARTH_SMTP_URL: smtpUrl, HEARTH_RATE_LIMIT_FACTOR: '1000' });
}, 60_000);
afterAll(async () => {
  await app?.close();
});

function linkIn(mail: CapturedMail, path: string): string {
  const link = mail.links.find((candidate) => new URL(candidate).pathname === path);
  if (link === undefined) throw new Error(`no ${path} link in "${mail.subject}": ${mail.links.join(', ')}`);
  expect(link.startsWith(`${app!.url}${path}?token=`)).toBe(true);
  return link;
}

const mailTo = (email: string, subject: RegExp) =>
  sink().waitForMail((mail) => mail.to.includes(email) && subject.test(mail.subject));

const login = (email: string, password = TEST_PASSWORD) =>
  app!.request<{ session: { accessToken: string }; error?: { code: string } }>('POST', '/api/auth/login', {
    body: { email, password },
  });

async function signUpAndVerify(email: string): Promise<void> {
  await app!.request('POST', '/api/auth/signup', { body: { email, password: TEST_PASSWORD } });
  const mail = await mailTo(email, /^Confirm your email address$/);
  const verify = await app!.request('POST', '/api/auth/email/verify', {
    body: { token: new URL(linkIn(mail, '/_/auth/verify-email')).searchParams.get('token') },
  });
  expect(verify.status).toBe(200);
}

describe('mail links open dashboard pages', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('verify-email: the sign-up link confirms the address once, and the token leaves the address bar', async () => {
    const email = uniqueTestEmail('verify');
    const signup = await app!.request('POST', '/api/auth/signup', {
      body: { email, password: TEST_PASSWORD },
    });
    expect(signup.status).toBe(201);
    expect((await login(email)).body.error?.code).toBe('auth/email-not-verified');
    const link = linkIn(await mailTo(email, /^Confirm your email address$/), '/_/auth/verify-email');

    const { page, problems } = await watchedPage(browser());
    await page.goto(link);
    await page
      .getByRole('status')
      .filter({ hasText: /email address is confirmed/ })
      .waitFor();
    expect(addressOf(page)).toBe('/_/auth/verify-email');
    expect(problems()).toEqual([]);
    expect((await login(email)).status).toBe(200);

    // The same link a second time: spent. The page offers a new one, with the same answer for any address.
    const again = await watchedPage(browser());
    await again.page.goto(link);
    await expect(again.page.getByRole('alert').textContent()).resolves.toBe(
      'This confirmation link is invalid, expired or already used.',
    );
    await again.page.getByLabel('Email', { exact: true }).fill(email);
    await again.page.getByRole('button', { name: 'Send a new link' }).click();
    await again.page
      .getByRole('status')
      .filter({ hasText: /If an account exists/ })
      .waitFor();
    expect(again.problems([400])).toEqual([]);
  });

  it('forgot-password → reset link: the new password works and the old one does not', async () => {
    const email = uniqueTestEmail('reset');
    await signUpAndVerify(email);

    const { page, problems } = await watchedPage(browser());
    await page.goto(`${app!.url}/_/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL(`${app!.url}/_/auth/forgot-password`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    const answer = await page.getByRole('status').textContent();
    expect(answer).toMatch(/If an account exists for this address, a link is on its way/);

    // An unknown address gets exactly the same answer.
    const unknown = await watchedPage(browser());
    await unknown.page.goto(`${app!.url}/_/auth/forgot-password`);
    await unknown.page.getByLabel('Email', { exact: true }).fill(uniqueTestEmail('nobody'));
    await unknown.page.getByRole('button', { name: 'Send reset link' }).click();
    expect(await unknown.page.getByRole('status').textContent()).toBe(answer);

    const link = linkIn(await mailTo(email, /^Reset your password$/), '/_/auth/reset-password');
    await page.goto(link);
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(addressOf(page)).toBe('/_/auth/reset-password');

    // A weak password is refused before the token is spent, so the same form can try again.
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.locator('.field-error').waitFor();
    expect(await descriptionOf(page, 'New password')).toContain('at least 8 characters');

    const newPassword = 'a brand new passphrase for hearth';
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await page.getByLabel('Confirm new password').fill(newPassword);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();
    expect(problems([400])).toEqual([]);

    expect((await login(email, newPassword)).status).toBe(200);
    expect((await login(email)).body.error?.code).toBe('auth/invalid-credentials');

    // The link is spent.
    const reuse = await watchedPage(browser());
    await reuse.page.goto(link);
    await reuse.page.getByLabel('New password', { exact: true }).fill('yet another passphrase');
    await reuse.page.getByLabel('Confirm new password').fill('yet another passphrase');
    await reuse.page.getByRole('button', { name: 'Set new password' }).click();
    await expect(reuse.page.getByRole('alert').textContent()).resolves.toBe(
      'This reset link is invalid, expired or already used.',
    );
    await reuse.page.getByRole('link', { name: 'Ask for a new reset link' }).waitFor();
    expect(reuse.problems([400])).toEqual([]);
  });

  it('confirm-email: the link sent to a new address moves the account there', async () => {
    const email = uniqueTestEmail('old');
    const newEmail = uniqueTestEmail('new');
    await signUpAndVerify(email);
    const session = (await login(email)).body.session;
    const change = await app!.request('PATCH', '/api/auth/me', {
      headers: authHeaders(session.accessToken),
      body: { email: newEmail },
    });
    expect(change.status).toBe(200);
    const link = linkIn(await mailTo(newEmail, /^Confirm your new email address$/), '/_/auth/confirm-email');

    const { page, problems } = await watchedPage(browser());
    await page.goto(link);
    await page
      .getByRole('status')
      .filter({ hasText: /new email address is confirmed/ })
      .waitFor();
    expect(addressOf(page)).toBe('/_/auth/confirm-email');
    expect(problems()).toEqual([]);
    expect((await login(newEmail)).status).toBe(200);
    expect((await login(email)).status).toBe(401);
  });

  it('the "you already have an account" mail links to the forgot-password page', async () => {
    const email = uniqueTestEmail('again');
    await signUpAndVerify(email);
    await app!.request('POST', '/api/auth/signup', { body: { email, password: 'another passphrase here' } });
    const mail = await mailTo(email, /^You already have an account$/);
    const link = mail.links.find((candidate) => new URL(candidate).pathname === '/_/auth/forgot-password');
    expect(link).toBeDefined();
    const { page, problems } = await watchedPage(browser());
    await page.goto(link!);
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    expect(problems()).toEqual([]);
  });
});
