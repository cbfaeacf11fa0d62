import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestAdmin,
  startTestApp,
  TEST_PASSWORD,
  uniqueTestEmail,
  useChromium,
  useSmtpSink,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';
import {
  addressOf,
  BROWSER_TEST_TIMEOUT,
  signInToDashboard,
  watchedPage,
  type WatchedPage,
  startDashboardApp,
} from './dashboard-test-helpers.js';

// The Mail page (/_/mail) in Chromium against the real server. This app has no
// SMTP, so mail stays in the outbox (status kept): the page is where an admin reads it.
const browser = useChromium();
let app: TestApp;
let admin: TestUser;
beforeAll(async () => ({ app, admin } = await startDashboardApp()), 60_000);
afterAll(() => app?.close());

type Page = WatchedPage['page'];

/** The rows of mail in the table (not the rows that show a mail's text). */
const mailRows = (page: Page) => page.locator('table.outbox tbody tr[data-mail-id]');
const rowOf = (page: Page, id: string) => page.locator(`table.outbox tr[data-mail-id="${id}"]`);
/** The text of each cell of a mail's row, by column header. */
async function cellsOf(page: Page, id: string): Promise<Record<string, string>> {
  const headers = await page.locator('table.outbox thead th').allTextContents();
  const cells = await rowOf(page, id).locator('td').allTextContents();
  return Object.fromEntries(headers.map((header, index) => [header, cells[index] ?? '']));
}

async function insertMail(fields: {
  to: string;
  subject?: string;
  text?: string;
  html?: string | null;
  status?: 'kept' | 'queued' | 'sent' | 'failed';
  attempts?: number;
  lastError?: string | null;
}): Promise<string> {
  const { rows } = await app.hearth.pool.query<{ id: string }>(
    `INSERT INTO hearth.outbox ("to", subject, text, html, status, attempts, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      fields.to,
      fields.subject ?? 'Reset your password',
      fields.text ?? 'body',
      fields.html ?? null,
      fields.status ?? 'kept',
      fields.attempts ?? 0,
      fields.lastError ?? null,
    ],
  );
  return rows[0]!.id;
}

async function openMailPage(search = ''): Promise<WatchedPage> {
  const watched = await watchedPage(browser());
  await signInToDashboard(watched.page, app.url, admin.email);
  await watched.page.goto(`${app.url}/_/mail${search}`);
  await watched.page.getByRole('heading', { name: 'Mail', level: 1 }).waitFor();
  return watched;
}

async function waitForSummary(page: Page, text: string | RegExp): Promise<void> {
  await page.getByTestId('outbox-summary').filter({ hasText: text }).waitFor();
}

describe('the Mail page', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  it('shows the mail of a real sign-up, filters by recipient, and shows its link as text to copy', async () => {
    const email = uniqueTestEmail('signup');
    const other = uniqueTestEmail('other');
    for (const address of [email, other]) {
      const signup = await app.request('POST', '/api/auth/signup', {
        body: { email: address, password: TEST_PASSWORD },
      });
      expect(signup.status).toBe(201);
    }

    const { page, problems } = await watchedPage(browser());
    await signInToDashboard(page, app.url, admin.email);
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Mail' }).click();
    await page.waitForURL(`${app.url}/_/mail`);
    expect(await page.title()).toBe('Mail · Hearth');
    const mailLink = page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Mail' });
    expect(await mailLink.getAttribute('aria-current')).toBe('page');
    await mailRows(page).filter({ hasText: email }).waitFor();
    await mailRows(page).filter({ hasText: other }).waitFor();

    // The recipient as someone might type it: outer spaces and capitals. The outbox has it normalised.
    await page.getByLabel('Recipient').fill(`  ${email.toUpperCase()} `);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(`${app.url}/_/mail?to=${encodeURIComponent(email)}`);
    await waitForSummary(page, 'Showing 1 mail, newest first.');
    expect(await mailRows(page).count()).toBe(1);
    const { rows } = await app.hearth.pool.query<{ id: string }>(
      'SELECT id FROM hearth.outbox WHERE "to" = $1',
      [email],
    );
    const id = rows[0]!.id;
    expect(await cellsOf(page, id)).toMatchObject({
      To: email,
      Subject: 'Confirm your email address',
      Status: 'kept',
      Attempts: '0',
      'Last error': '–',
      Sent: '–',
    });
    expect(
      await rowOf(page, id)
        .getByRole('button', { name: /^Retry/ })
        .count(),
    ).toBe(0);

    // A reload keeps the filter: it lives in the address.
    await page.reload();
    await waitForSummary(page, 'Showing 1 mail, newest first.');
    expect(await page.getByLabel('Recipient').inputValue()).toBe(email);

    const subject = rowOf(page, id).getByRole('button', { name: 'Confirm your email address' });
    expect(await subject.getAttribute('aria-expanded')).toBe('false');
    await subject.click();
    expect(await subject.getAttribute('aria-expanded')).toBe('true');
    const message = page.getByRole('region', { name: `Mail to ${email}: Confirm your email address` });
    const text = (await message.locator('pre').textContent()) ?? '';
    const link = /https?:\/\/\S+/.exec(text)?.[0];
    expect(link).toBeDefined();
    expect(link!.startsWith(`${app.url}/_/auth/verify-email?token=`)).toBe(true);
    // What the admin copies is the working link: opening it confirms the address.
    const opened = await watchedPage(browser());
    await opened.page.goto(link!);
    await opened.page
      .getByRole('status')
      .filter({ hasText: /email address is confirmed/ })
      .waitFor();
    expect(opened.problems()).toEqual([]);

    // Another status for the same address: nothing; clearing shows every mail again.
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await waitForSummary(page, 'No mail matches these filters.');
    expect(await page.locator('table.outbox').count()).toBe(0);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(`${app.url}/_/mail`);
    await mailRows(page).filter({ hasText: other }).waitFor();
    expect(await page.getByLabel('Recipient').inputValue()).toBe('');
    expect(await page.getByLabel('Status').inputValue()).toBe('');
    // Back returns to the last filter, inputs included.
    await page.goBack();
    await waitForSummary(page, 'No mail matches these filters.');
    expect(await page.getByLabel('Status').inputValue()).toBe('failed');
    expect(problems()).toEqual([]);
  });

  it('pages with "Load more", newest first, without losing or repeating mail', async () => {
    const to = uniqueTestEmail('pages');
    // 60 mails a microsecond apart: pages of 50 must split them without a gap.
    await app.hearth.pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text, created_at)
       SELECT $1, 'mail ' || g, 'body ' || g, '2030-01-01T00:00:00.123Z'::timestamptz + g * interval '1 microsecond'
       FROM generate_series(1, 60) g`,
      [to],
    );
    const { page, problems } = await openMailPage(`?to=${encodeURIComponent(to)}`);
    await waitForSummary(page, 'Showing 50 mails, newest first; there is more.');
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitForSummary(page, 'Showing 60 mails, newest first.');
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
    const subjects = await mailRows(page).locator('td:nth-child(3)').allTextContents();
    expect(subjects).toEqual(Array.from({ length: 60 }, (_, index) => `mail ${60 - index}`));
    expect(problems()).toEqual([]);
  });

  it('shows a mail body with <script> and <img onerror> as inert text, never as markup', async () => {
    const to = uniqueTestEmail('xss');
    const attack = [
      'Hello <script>window.__pwned = "script"; alert("script")</script>',
      "<img src=x onerror=\"window.__pwned = 'img'; alert('img')\">",
      '<a href="javascript:alert(1)">click</a> &lt;b&gt;',
    ].join('\n');
    const subject = '<img src=y onerror="alert(\'subject\')">';
    const id = await insertMail({ to, subject, text: attack, html: `<p>${attack}</p>` });

    const { page, problems } = await openMailPage(`?to=${encodeURIComponent(to)}`);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await rowOf(page, id).getByRole('button', { name: subject }).click();
    const message = page.getByRole('region', { name: `Mail to ${to}: ${subject}` });
    expect(await message.locator('pre').first().textContent()).toBe(attack);
    await message.getByText('HTML version (source, not rendered)').click();
    expect(await message.locator('details pre').textContent()).toBe(`<p>${attack}</p>`);
    expect(await message.locator('details pre').isVisible()).toBe(true);

    // Nothing from the mail became an element, ran, or tried to run (a CSP block would log an error).
    expect(await message.locator('pre *').count()).toBe(0);
    expect(await page.locator('img, script:not([src]), a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
    expect(problems()).toEqual([]);
  });

  it('retries a failed mail: the row shows it queued again, with no Retry button', async () => {
    const to = uniqueTestEmail('failed');
    await insertMail({ to, subject: 'Confirm your email address', status: 'kept' });
    const id = await insertMail({
      to,
      status: 'failed',
      attempts: 1,
      lastError: '550 5.1.1 <x@example.test>: No such mailbox',
    });

    const { page, problems } = await openMailPage('?status=failed');
    await rowOf(page, id).waitFor();
    expect(await cellsOf(page, id)).toMatchObject({
      Status: 'failed',
      Attempts: '1',
      'Last error': '550 5.1.1 <x@example.test>: No such mailbox',
      Sent: '–',
    });
    // Only failed mail is listed, and every row has its Retry button.
    expect(await mailRows(page).filter({ hasNotText: 'failed' }).count()).toBe(0);
    await rowOf(page, id)
      .getByRole('button', { name: `Retry the mail to ${to}: Reset your password` })
      .click();

    // No SMTP here: the mail waits in the queue, attempts back to 0, the old reason kept.
    await rowOf(page, id).locator('.mail-status', { hasText: 'queued' }).waitFor();
    expect(await cellsOf(page, id)).toMatchObject({
      Attempts: '0',
      'Last error': expect.stringContaining('550'),
    });
    expect(
      await rowOf(page, id)
        .getByRole('button', { name: /^Retry/ })
        .count(),
    ).toBe(0);
    const { rows } = await app.hearth.pool.query('SELECT status, attempts FROM hearth.outbox WHERE id = $1', [
      id,
    ]);
    expect(rows).toEqual([{ status: 'queued', attempts: 0 }]);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it("says why a retry was refused (409, 404) with the server's message, and shows the mail as it is now", async () => {
    const to = uniqueTestEmail('refused');
    const retriedElsewhere = await insertMail({ to, subject: 'first', status: 'failed', attempts: 8 });
    const deleted = await insertMail({ to, subject: 'second', status: 'failed', attempts: 8 });
    const { page, problems } = await openMailPage(`?to=${encodeURIComponent(to)}`);
    await waitForSummary(page, 'Showing 2 mails, newest first.');

    // Another admin retried it since the page loaded.
    const elsewhere = await app.request('POST', `/api/admin/outbox/${retriedElsewhere}/retry`, {
      headers: admin.headers,
    });
    expect(elsewhere.status).toBe(200);
    await rowOf(page, retriedElsewhere)
      .getByRole('button', { name: /^Retry/ })
      .click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      `The mail to ${to} was not retried. Only a mail whose delivery failed can be retried. It is queued now.`,
    );
    await rowOf(page, retriedElsewhere).locator('.mail-status', { hasText: 'queued' }).waitFor();

    // Deleted since the page loaded (cleanup, say).
    await app.hearth.pool.query('DELETE FROM hearth.outbox WHERE id = $1', [deleted]);
    await rowOf(page, deleted)
      .getByRole('button', { name: /^Retry/ })
      .click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      `The mail to ${to} was not retried. No such mail in the outbox.`,
    );
    expect(
      await rowOf(page, deleted)
        .getByRole('button', { name: /^Retry/ })
        .isEnabled(),
    ).toBe(true);
    expect(problems([404, 409])).toEqual([]);
  });

  it('sends a visitor who is not signed in to sign in, and shows a non-admin no mail', async () => {
    await insertMail({ to: uniqueTestEmail('private'), subject: 'A private subject' });
    const visitor = await watchedPage(browser());
    await visitor.page.goto(`${app.url}/_/mail?status=kept`);
    await visitor.page.waitForURL(`${app.url}/_/login`);

    // An admin signs in, then loses the role: the page says "admins only" and lists nothing.
    const email = uniqueTestEmail('demoted');
    const created = await app.request<{ user: { id: string } }>('POST', '/api/admin/users', {
      headers: admin.headers,
      body: { email, password: TEST_PASSWORD, role: 'admin', emailVerified: true },
    });
    expect(created.status).toBe(201);
    const { page, problems } = await watchedPage(browser());
    await signInToDashboard(page, app.url, email);
    const demoted = await app.request('PATCH', `/api/admin/users/${created.body.user.id}`, {
      headers: admin.headers,
      body: { role: 'user' },
    });
    expect(demoted.status).toBe(200);
    // The stored user still says admin until the page has asked the server, so the page may ask for
    // the outbox once; the server refuses, and nothing of it is shown.
    const outboxAnswers: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/admin/outbox'))
        outboxAnswers.push(response.status());
    });
    await page.goto(`${app.url}/_/mail`);
    await page.getByTestId('admins-only').waitFor();
    expect(addressOf(page)).toBe('/_/mail');
    expect(await page.getByText('A private subject').count()).toBe(0);
    expect(await page.locator('table').count()).toBe(0);
    expect(outboxAnswers.every((status) => status === 403)).toBe(true);
    expect(problems([403])).toEqual([]);
  });
});

describe('the Mail page with SMTP', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const sink = useSmtpSink();
  let smtpApp: TestApp | undefined;
  let smtpAdmin: TestUser;
  beforeAll(async () => {
    smtpApp = await startTestApp({ ...sink().env(), HEARTH_RATE_LIMIT_FACTOR: '1000' });
    smtpAdmin = await createTestAdmin(smtpApp);
  }, 60_000);
  afterAll(async () => {
    await smtpApp?.close();
  });

  it('shows a delivered mail with its link token redacted, and says why', async () => {
    const app = smtpApp!;
    const email = uniqueTestEmail('delivered');
    await app.request('POST', '/api/auth/signup', { body: { email, password: TEST_PASSWORD } });
    const delivered = await sink().waitForMail((candidate) => candidate.to.includes(email));
    const liveToken = /token=([\w-]+)/.exec(delivered.text ?? '')?.[1];
    expect(liveToken).toBeDefined();
    await expect
      .poll(async () => {
        const { rows } = await app.hearth.pool.query<{ status: string }>(
          'SELECT status FROM hearth.outbox WHERE "to" = $1',
          [email],
        );
        return rows[0]?.status;
      })
      .toBe('sent');

    const { page, problems } = await watchedPage(browser());
    await signInToDashboard(page, app.url, smtpAdmin.email);
    await page.goto(`${app.url}/_/mail?to=${encodeURIComponent(email)}`);
    const row = mailRows(page).filter({ hasText: email });
    await row.locator('.mail-status', { hasText: 'sent' }).waitFor();
    await row.getByRole('button', { name: 'Confirm your email address' }).click();
    const message = page.getByRole('region', { name: `Mail to ${email}: Confirm your email address` });
    const text = (await message.locator('pre').textContent()) ?? '';
    expect(text).toContain(`${app.url}/_/auth/verify-email?token=[redacted]`);
    expect(text).not.toContain(liveToken);
    expect(await message.locator('.mail-meta').textContent()).toMatch(/shown without their token/);
    expect(problems()).toEqual([]);
  });

  it('shows a mail the SMTP server refused for good, and sends it when the admin clicks Retry', async () => {
    const app = smtpApp!;
    const email = uniqueTestEmail('bounced');
    sink().refuseNext(1, { code: 550, message: '5.1.1 No such mailbox here' });
    await app.request('POST', '/api/auth/signup', { body: { email, password: TEST_PASSWORD } });
    await expect
      .poll(async () => {
        const { rows } = await app.hearth.pool.query<{ id: string; status: string }>(
          'SELECT id, status FROM hearth.outbox WHERE "to" = $1',
          [email],
        );
        return rows;
      })
      .toEqual([{ id: expect.any(String), status: 'failed' }]);

    const { page, problems } = await watchedPage(browser());
    await signInToDashboard(page, app.url, smtpAdmin.email);
    await page.goto(`${app.url}/_/mail?status=failed&to=${encodeURIComponent(email)}`);
    const row = mailRows(page).filter({ hasText: email });
    await row.locator('td', { hasText: '550 5.1.1 No such mailbox here' }).waitFor();
    await row.getByRole('button', { name: /^Retry/ }).click();

    // Sent at once by the node that answered; the page looks again and shows it sent.
    const mail = await sink().waitForMail((candidate) => candidate.to.includes(email));
    expect(mail.subject).toBe('Confirm your email address');
    await row.locator('.mail-status', { hasText: 'sent' }).waitFor({ timeout: 8_000 });
    expect(await row.locator('td:nth-child(7) time').count()).toBe(1);
    expect(await row.getByRole('button', { name: /^Retry/ }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });
});
