import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestAdmin,
  startSmtpSink,
  useComponent,
  type SmtpSink,
  type TestApp,
  type TestUser,
} from '@hearth/testkit';
import {
  bearer,
  PASSWORD,
  startAuthApp,
  uniqueEmail,
  type ErrorBody,
  type SessionBody,
  type UserBody,
} from './auth-test-helpers.js';

const sink = useComponent<SmtpSink>(() => startSmtpSink());
let app: TestApp | undefined;

beforeAll(async () => {
  let smtpUrl: string;
  try {
    smtpUrl = sink().url;
  } catch {
    return; // the sink is unavailable: useComponent skips every test
  }
  app = await startAuthApp({ HEARTH_SMTP_URL: smtpUrl, HEARTH_MAIL_FROM: 'Hearth Test <auth@hearth.test>' });
});
afterAll(async () => {
  await app?.close();
});

const tokenOf = (link: string | undefined) => new URL(link ?? 'http://x').searchParams.get('token') ?? '';
const linkTo = (mail: { links: string[] }, path: string) => mail.links.find((link) => link.includes(path));

async function signUpThroughSmtp(email: string): Promise<SessionBody> {
  await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
  const mail = await sink().waitForMail((m) => m.to.includes(email) && /confirm your email/i.test(m.subject));
  expect(mail.from).toBe('auth@hearth.test');
  const verify = await app!.request('POST', '/api/auth/email/verify', {
    body: { token: tokenOf(linkTo(mail, '/_/auth/verify-email')) },
  });
  expect(verify.status).toBe(200);
  const login = await app!.request<{ session: SessionBody }>('POST', '/api/auth/login', {
    body: { email, password: PASSWORD },
  });
  expect(login.status).toBe(200);
  return login.body.session;
}

describe('mail over SMTP', () => {
  it('email verification: the link in the mail confirms the address', async () => {
    await signUpThroughSmtp(uniqueEmail('smtp'));
  });

  it('a second sign-up with a registered address mails the owner instead', async () => {
    const email = uniqueEmail('again');
    await signUpThroughSmtp(email);
    const second = await app!.request<{ session: null }>('POST', '/api/auth/signup', {
      body: { email, password: 'some other passphrase' },
    });
    expect(second.status).toBe(201);
    const notice = await sink().waitForMail(
      (m) => m.to.includes(email) && /already have an account/i.test(m.subject),
    );
    expect(notice.text).toContain('/_/auth/forgot-password');
  });

  it('password reset: single-use link by mail, new password works, old one does not', async () => {
    const email = uniqueEmail('reset');
    await signUpThroughSmtp(email);
    const forgot = await app!.request('POST', '/api/auth/password/forgot', { body: { email } });
    expect(forgot.status).toBe(202);
    const mail = await sink().waitForMail(
      (m) => m.to.includes(email) && /reset your password/i.test(m.subject),
    );
    const token = tokenOf(linkTo(mail, '/_/auth/reset-password'));
    const reset = await app!.request('POST', '/api/auth/password/reset', {
      body: { token, password: 'my new passphrase' },
    });
    expect(reset.status).toBe(200);
    const reuse = await app!.request<ErrorBody>('POST', '/api/auth/password/reset', {
      body: { token, password: 'another passphrase' },
    });
    expect(reuse.body.error.code).toBe('auth/link-invalid');
    expect(
      (await app!.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(401);
    expect(
      (await app!.request('POST', '/api/auth/login', { body: { email, password: 'my new passphrase' } }))
        .status,
    ).toBe(200);
  });

  it('forgot-password for an unknown address sends nothing', async () => {
    const email = uniqueEmail('ghost');
    await app!.request('POST', '/api/auth/password/forgot', { body: { email } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink().messages.some((m) => m.to.includes(email))).toBe(false);
  });

  it('email change is confirmed by a link sent to the new address, not the old one', async () => {
    const email = uniqueEmail('old');
    const session = await signUpThroughSmtp(email);
    const newEmail = uniqueEmail('new');
    const patch = await app!.request<{ user: UserBody; emailChangePending: boolean }>(
      'PATCH',
      '/api/auth/me',
      {
        headers: bearer(session.accessToken),
        body: { email: newEmail },
      },
    );
    expect(patch.body.emailChangePending).toBe(true);
    expect(patch.body.user.email).toBe(email);
    const mail = await sink().waitForMail((m) => m.to.includes(newEmail));
    expect(mail.to).toEqual([newEmail]);
    const confirm = await app!.request<{ user: UserBody }>('POST', '/api/auth/email/verify', {
      body: { token: tokenOf(linkTo(mail, '/_/auth/confirm-email')) },
    });
    expect(confirm.body.user).toMatchObject({ email: newEmail, emailVerified: true });
    expect(
      (await app!.request('POST', '/api/auth/login', { body: { email: newEmail, password: PASSWORD } }))
        .status,
    ).toBe(200);
    expect(
      (await app!.request('POST', '/api/auth/login', { body: { email, password: PASSWORD } })).status,
    ).toBe(401);
  });

  it('email change needs recent authentication', async () => {
    const session = await signUpThroughSmtp(uniqueEmail('stale'));
    await app!.hearth.pool.query("UPDATE hearth.sessions SET auth_time = now() - interval '1 hour'");
    const patch = await app!.request<ErrorBody>('PATCH', '/api/auth/me', {
      headers: bearer(session.accessToken),
      body: { email: uniqueEmail('new') },
    });
    expect(patch.status).toBe(403);
    expect(patch.body.error.code).toBe('auth/recent-auth-required');
  });

  it('resends a verification link on request, answering 202 whatever the address', async () => {
    const email = uniqueEmail('resend');
    await app!.request('POST', '/api/auth/signup', { body: { email, password: PASSWORD } });
    await sink().waitForMail((m) => m.to.includes(email));
    const known = await app!.request('POST', '/api/auth/email/verify/resend', { body: { email } });
    const unknown = await app!.request('POST', '/api/auth/email/verify/resend', {
      body: { email: uniqueEmail('x') },
    });
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);
    await expect.poll(() => sink().messages.filter((m) => m.to.includes(email)).length).toBe(2);
  });
});

describe('delivery through the queue', () => {
  type Item = { id: string; subject: string; status: string; attempts: number; lastError: string | null };
  let admin: TestUser | undefined;
  const adminHeaders = async () => (admin ??= await createTestAdmin(app!)).headers;
  const outbox = async (email: string) =>
    (
      await app!.request<{ items: Item[] }>('GET', `/api/admin/outbox?to=${encodeURIComponent(email)}`, {
        headers: await adminHeaders(),
      })
    ).body.items;
  const resetMail = async (email: string) =>
    (await outbox(email)).find((item) => /reset/i.test(item.subject));

  it('keeps a mail the SMTP server refused, shows why in the admin outbox, and retries it', async () => {
    const email = uniqueEmail('refused');
    await signUpThroughSmtp(email);
    sink().refuseNext(1);
    const forgot = await app!.request('POST', '/api/auth/password/forgot', { body: { email } });
    expect(forgot.status).toBe(202);

    await expect
      .poll(() => resetMail(email), { timeout: 5_000 })
      .toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringMatching(/451/) });
    const confirmation = (await outbox(email)).find((item) => /confirm/i.test(item.subject));
    expect(confirmation).toMatchObject({ status: 'sent', attempts: 1, lastError: null });

    const refused = await resetMail(email);

    // Make it due now instead of 30 s from now; the next queued mail starts a pass that sends both.
    await app!.hearth.pool.query(
      `UPDATE hearth.outbox SET next_attempt_at = now() WHERE "to" = $1 AND status = 'queued'`,
      [email],
    );
    await app!.request('POST', '/api/auth/password/forgot', { body: { email } });
    // The refused mail itself went out on its second attempt, beside the new one: two reset mails
    // reached the SMTP server, each with its own link.
    const resets = () => sink().messages.filter((m) => m.to.includes(email) && /reset/i.test(m.subject));
    await expect.poll(() => resets().length, { timeout: 5_000 }).toBe(2);
    const tokens = resets().map((mail) => tokenOf(linkTo(mail, '/_/auth/reset-password')));
    expect(tokens.every((token) => token !== '')).toBe(true);
    expect(new Set(tokens).size).toBe(2);
    await expect
      .poll(async () => (await outbox(email)).find((item) => item.id === refused!.id))
      .toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('fails a mail the SMTP server refuses for good (550) at once, says why, and sends it when an admin retries', async () => {
    const email = uniqueEmail('bounced');
    await signUpThroughSmtp(email);
    sink().refuseNext(1, { code: 550, message: '5.1.1 No such mailbox here' });
    await app!.request('POST', '/api/auth/password/forgot', { body: { email } });

    await expect
      .poll(() => resetMail(email), { timeout: 5_000 })
      .toMatchObject({
        status: 'failed',
        attempts: 1,
        lastError: expect.stringMatching(/550 5\.1\.1 No such mailbox/),
      });
    const { rows } = await app!.hearth.pool.query<{ next_attempt_at: Date | null }>(
      `SELECT next_attempt_at FROM hearth.outbox WHERE "to" = $1 AND status = 'failed'`,
      [email],
    );
    expect(rows).toEqual([{ next_attempt_at: null }]);
    expect(sink().messages.filter((m) => m.to.includes(email) && /reset/i.test(m.subject))).toHaveLength(0);

    const metrics = await (await app!.fetch('/metrics')).text();
    expect(metrics).toMatch(/^hearth_mail_deliveries_total\{outcome="failed"\} 1$/m);
    expect(metrics).toMatch(/^hearth_mail_deliveries_total\{outcome="retry"\} 1$/m);
    expect(metrics).toMatch(/^hearth_mail_deliveries_total\{outcome="sent"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^hearth_mail_outbox_messages\{status="failed"\} 1$/m);
    expect(metrics).toMatch(/^hearth_mail_outbox_messages\{status="queued"\} 0$/m);

    // The address works again (say the user fixed their mailbox): an admin retries, and it goes out now,
    // not at the next poll.
    const failed = await resetMail(email);
    const retry = await app!.request<{ mail: Item }>('POST', `/api/admin/outbox/${failed!.id}/retry`, {
      headers: await adminHeaders(),
    });
    expect(retry.status).toBe(200);
    expect(retry.body.mail).toMatchObject({ id: failed!.id, status: 'queued', attempts: 0 });
    const mail = await sink().waitForMail((m) => m.to.includes(email) && /reset/i.test(m.subject), 3_000);
    expect(tokenOf(linkTo(mail, '/_/auth/reset-password'))).not.toBe('');
    await expect
      .poll(() => resetMail(email))
      .toMatchObject({ id: failed!.id, status: 'sent', attempts: 1, lastError: null });
    const after = await (await app!.fetch('/metrics')).text();
    expect(after).toMatch(/^hearth_mail_outbox_messages\{status="failed"\} 0$/m);
  });
});
