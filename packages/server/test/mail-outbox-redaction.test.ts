import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestAdmin,
  createTestServiceKey,
  useSmtpSink,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';
import {
  bearer,
  PASSWORD,
  startAuthApp,
  uniqueEmail,
  waitForOutboxMail,
  type ErrorBody,
} from './auth-test-helpers.js';

interface Mail {
  id: string;
  subject: string;
  status: string;
  text: string | null;
  html: string | null;
}

const tokenIn = (text: string) => /[?&]token=([A-Za-z0-9_-]+)/.exec(text)?.[1];

async function outbox(app: TestApp, headers: Record<string, string>, to: string): Promise<Mail[]> {
  const response = await app.request<{ items: Mail[] }>(
    'GET',
    `/api/admin/outbox?to=${encodeURIComponent(to)}`,
    { headers },
  );
  expect(response.status).toBe(200);
  return response.body.items;
}

async function storedMail(app: TestApp, to: string) {
  const { rows } = await app.hearth.pool.query<{
    subject: string;
    text: string;
    html: string | null;
    status: string;
  }>('SELECT subject, text, html, status FROM hearth.outbox WHERE "to" = $1 ORDER BY created_at', [to]);
  return rows;
}

describe('live links in the outbox, with SMTP', () => {
  const sink = useSmtpSink();
  let app: TestApp | undefined;
  let admin: TestUser;
  beforeAll(async () => {
    app = await startAuthApp(sink().env());
    admin = await createTestAdmin(app);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a delivered reset mail keeps no live token in the outbox: an admin reading it cannot take over the account', async () => {
    const email = uniqueEmail('victim');
    await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    const delivered = await sink().waitForMail((mail) => mail.to.includes(email));
    const liveToken = tokenIn(delivered.text ?? '');
    expect(liveToken).toBeDefined();
    await expect.poll(async () => (await storedMail(app!, email))[0]?.status).toBe('sent');

    const [stored] = await storedMail(app!, email);
    expect(stored!.text).not.toContain(liveToken);
    expect(stored!.text).toContain('token=[redacted]');
    const [listed] = await outbox(app!, admin.headers, email);
    expect(listed!.text).not.toContain(liveToken);
    expect(listed!.text).toMatch(/\/_\/auth\/verify-email\?token=\[redacted\]/);
    // The recipient's copy still works.
    const verify = await app!.request('POST', '/api/auth/email/verify', { body: { token: liveToken } });
    expect(verify.status).toBe(200);
  });

  it('the HTML body of a delivered mail is redacted too, the subject and the rest of the link kept', async () => {
    const email = uniqueEmail('html');
    const token = 'Q'.repeat(43);
    await app!.hearth.pool.query(
      `INSERT INTO hearth.outbox ("to", subject, text, html, status, next_attempt_at)
       VALUES ($1, 'Reset your password', $2, $3, 'queued', now())`,
      [
        email,
        `Open https://app.example.test/reset?lang=fr&token=${token}&type=reset-password`,
        `<a href="https://app.example.test/reset?lang=fr&amp;token=${token}&amp;type=reset-password">reset</a>`,
      ],
    );
    // Any mail sent starts a delivery pass, which takes every due mail.
    await app!.request('POST', '/api/auth/signup', {
      body: { email: uniqueEmail('kick'), password: PASSWORD },
    });
    await sink().waitForMail((mail) => mail.to.includes(email));
    await expect.poll(async () => (await storedMail(app!, email))[0]?.status).toBe('sent');
    const [stored] = await storedMail(app!, email);
    expect(stored).toEqual({
      subject: 'Reset your password',
      status: 'sent',
      text: 'Open https://app.example.test/reset?lang=fr&token=[redacted]&type=reset-password',
      html: '<a href="https://app.example.test/reset?lang=fr&amp;token=[redacted]&amp;type=reset-password">reset</a>',
    });
  });

  it('a failed mail keeps its token for a retry, but the admin API never shows it', async () => {
    const email = uniqueEmail('bounce');
    await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    await sink().waitForMail((mail) => mail.to.includes(email));
    sink().refuseNext(1, { code: 550 });
    await app!.request('POST', '/api/auth/password/forgot', { body: { email } });
    await expect
      .poll(
        async () => (await outbox(app!, admin.headers, email)).find((m) => /reset/i.test(m.subject))?.status,
      )
      .toBe('failed');
    const failed = (await outbox(app!, admin.headers, email)).find((m) => /reset/i.test(m.subject))!;
    expect(failed.text).toContain('token=[redacted]');
    const retried = await app!.request<{ mail: Mail }>('POST', `/api/admin/outbox/${failed.id}/retry`, {
      headers: admin.headers,
    });
    expect(retried.body.mail.text).toContain('token=[redacted]');
    const delivered = await sink().waitForMail(
      (mail) => mail.to.includes(email) && /reset/i.test(mail.subject),
    );
    const liveToken = tokenIn(delivered.text ?? '');
    expect(liveToken).toBeDefined();
    const reset = await app!.request('POST', '/api/auth/password/reset', {
      body: { token: liveToken, password: 'another correct horse battery' },
    });
    expect(reset.status).toBe(200);
  });
});

describe('live links in the outbox, without SMTP (kept, for development)', () => {
  let app: TestApp;
  let admin: TestUser;
  beforeAll(async () => {
    app = await startAuthApp();
    admin = await createTestAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('admins see the live link of a kept mail', async () => {
    const email = uniqueEmail('dev');
    await app.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    const { token } = await waitForOutboxMail(app, email, /confirm/i);
    const [listed] = await outbox(app, admin.headers, email);
    expect(listed!.status).toBe('kept');
    expect(tokenIn(listed!.text ?? '')).toBe(token);
  });

  it('a CI service key cannot read mail bodies (and so take over an account) unless granted mail:read', async () => {
    const email = uniqueEmail('ci-target');
    await app.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    const { token } = await waitForOutboxMail(app, email, /confirm/i);

    const ci = await createTestServiceKey(app, admin.token, 'ci');
    const [hidden] = await outbox(app, ci.headers, email);
    expect(hidden).toMatchObject({ subject: 'Confirm your email address', text: null, html: null });

    const granted = await app.request<{ key: string; scopes: string[] }>('POST', '/api/admin/keys', {
      headers: admin.headers,
      body: { name: 'mail-reader', scopes: ['mail:read'] },
    });
    expect(granted.status).toBe(201);
    expect(granted.body.scopes).toEqual(['mail:read']);
    const [shown] = await outbox(app, bearer(granted.body.key), email);
    expect(tokenIn(shown!.text ?? '')).toBe(token);

    const listed = await app.request<{ items: Array<{ name: string; scopes: string[] }> }>(
      'GET',
      '/api/admin/keys',
      {
        headers: admin.headers,
      },
    );
    expect(listed.body.items.find((key) => key.name === 'mail-reader')?.scopes).toEqual(['mail:read']);
    expect(listed.body.items.find((key) => key.name === 'ci')?.scopes).toEqual([]);
  });

  it('refuses a scope that does not exist', async () => {
    const response = await app.request<ErrorBody>('POST', '/api/admin/keys', {
      headers: admin.headers,
      body: { name: 'x', scopes: ['everything'] },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation/failed');
  });
});
