import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '@hearth/testkit';
import {
  bearer,
  enrollTotp,
  outboxCount,
  PASSWORD,
  signUpVerified,
  startAuthApp,
  totpCodeAt,
  uniqueEmail,
  type ErrorBody,
} from './auth-test-helpers.js';

// The documented allowances (docs/auth.md, "Rate limits"), at HEARTH_RATE_LIMIT_FACTOR 1. Each request
// comes from its own address (X-Forwarded-For from a trusted proxy), so only the per-address or
// per-user limit under test can refuse it.
let app: TestApp;
let nextAddress = 0;
const fresh = () => ({ 'x-forwarded-for': `198.18.${Math.floor(nextAddress / 250)}.${nextAddress++ % 250}` });

beforeAll(async () => {
  app = await startAuthApp({ HEARTH_RATE_LIMIT_FACTOR: '1', HEARTH_TRUST_PROXY: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
});

async function statuses(count: number, send: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await send(i)).status);
  return result;
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request<ErrorBody>('POST', path, { headers: { ...fresh(), ...headers }, body });

describe('"you already have an account" mails', () => {
  it('sign-ups for one registered address are limited to 5 an hour, so its owner cannot be mail-bombed', async () => {
    const { email } = await signUpVerified(app); // the first of the five
    const before = await outboxCount(app, email);
    const answers = await statuses(8, () => post('/api/auth/signup', { email, password: PASSWORD }));
    expect(answers).toEqual([201, 201, 201, 201, 429, 429, 429, 429]);
    await expect.poll(() => outboxCount(app, email)).toBe(before + 4);
    const { rows } = await app.hearth.pool.query<{ subject: string }>(
      'SELECT DISTINCT subject FROM hearth.outbox WHERE "to" = $1 AND subject <> $2',
      [email, 'Confirm your email address'],
    );
    expect(rows).toEqual([{ subject: 'You already have an account' }]);
  });

  it('a new address meets the same limit, so the 429 says nothing about whether it is registered', async () => {
    const email = uniqueEmail('new');
    const answers = await statuses(8, () => post('/api/auth/signup', { email, password: PASSWORD }));
    expect(answers).toEqual([201, 201, 201, 201, 201, 429, 429, 429]);
  });
});

describe('per-address and per-user limits', () => {
  it('forgot password: 3 an hour per address, from any number of addresses', async () => {
    const { email } = await signUpVerified(app);
    expect(await statuses(4, () => post('/api/auth/password/forgot', { email }))).toEqual([
      202, 202, 202, 429,
    ]);
  });

  it('resend confirmation: 3 an hour per address, shared with forgot password', async () => {
    const email = uniqueEmail('unconfirmed');
    expect(await statuses(4, () => post('/api/auth/email/verify/resend', { email }))).toEqual([
      202, 202, 202, 429,
    ]);
    const other = uniqueEmail('shared');
    const mixed = await statuses(4, (i) =>
      post(i % 2 === 0 ? '/api/auth/password/forgot' : '/api/auth/email/verify/resend', { email: other }),
    );
    expect(mixed).toEqual([202, 202, 202, 429]);
  });

  it('MFA verify: 10 wrong codes per user per 15 minutes, then even the right code waits', async () => {
    const { email, session } = await signUpVerified(app);
    const { secret } = await enrollTotp(app, session);
    const ticket = async () => {
      const login = await post('/api/auth/login', { email, password: PASSWORD });
      return (login.body as unknown as { mfa: { ticket: string } }).mfa.ticket;
    };
    // Confirming the enrolment took one of the ten; a ticket dies after 5 wrong codes, so two tickets.
    const wrong: number[] = [];
    for (const count of [5, 4]) {
      const current = await ticket();
      wrong.push(
        ...(await statuses(count, () => post('/api/auth/mfa/verify', { ticket: current, code: '000000' }))),
      );
    }
    expect(wrong).toEqual(Array<number>(9).fill(401));
    const refused = await post('/api/auth/mfa/verify', {
      ticket: await ticket(),
      code: totpCodeAt(secret, 0),
    });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('http/rate-limited');
  });

  it('re-authentication: 10 wrong passwords per user per 15 minutes, then even the right one waits', async () => {
    const { session } = await signUpVerified(app);
    const headers = bearer(session.accessToken);
    const wrong = await statuses(10, () =>
      post('/api/auth/reauthenticate', { password: 'not it at all' }, headers),
    );
    expect(wrong).toEqual(Array<number>(10).fill(401));
    expect((await post('/api/auth/reauthenticate', { password: PASSWORD }, headers)).status).toBe(429);
  });

  it('mail a signed-in user triggers: 5 an hour per user', async () => {
    const { session } = await signUpVerified(app);
    const headers = bearer(session.accessToken);
    const answers = await statuses(6, () =>
      app.request('PATCH', '/api/auth/me', {
        headers: { ...fresh(), ...headers },
        body: { email: uniqueEmail('next') },
      }),
    );
    expect(answers).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('anonymous sign-in: 30 an hour per IP, and another IP is not affected', async () => {
    const address = { 'x-forwarded-for': '198.19.0.1' };
    const answers = await statuses(31, () => post('/api/auth/anonymous', {}, address));
    expect(answers.slice(0, 30)).toEqual(Array<number>(30).fill(201));
    expect(answers[30]).toBe(429);
    expect((await post('/api/auth/anonymous', {})).status).toBe(201);
  });
});
