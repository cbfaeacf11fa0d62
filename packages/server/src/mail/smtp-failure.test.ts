import { describe, expect, it } from 'vitest';
import { classifySmtpFailure } from './smtp-failure.js';

/** An error shaped as nodemailer's (code, responseCode, command), as its SMTP connection builds them. */
const smtpError = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

describe('classifySmtpFailure', () => {
  it.each([
    ['550 mailbox unavailable at RCPT', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' }, true],
    ['553 mailbox name not allowed', { code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO' }, true],
    ['553 sender refused at MAIL FROM', { code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' }, true],
    ['554 refused after DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA' }, true],
    ['552 too big at DATA', { code: 'EMESSAGE', responseCode: 552, command: 'DATA' }, true],
    ['invalid recipient refused by nodemailer itself', { code: 'EENVELOPE', command: 'API' }, true],
    ['451 busy at RCPT', { code: 'EENVELOPE', responseCode: 451, command: 'RCPT TO' }, false],
    ['421 closing at DATA', { code: 'EMESSAGE', responseCode: 421, command: 'DATA' }, false],
    ['503 bad sequence of commands', { code: 'EENVELOPE', responseCode: 503, command: 'RCPT TO' }, false],
    ['535 wrong SMTP password', { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' }, false],
    ['554 greeting: no service here', { code: 'EPROTOCOL', responseCode: 554, command: 'CONN' }, false],
    ['connection refused', { code: 'ESOCKET', command: 'CONN' }, false],
    ['connection closed', { code: 'ECONNECTION' }, false],
    ['timeout', { code: 'ETIMEDOUT' }, false],
    ['TLS failure', { code: 'ETLS' }, false],
    ['a reply code out of range', { code: 'EENVELOPE', responseCode: 999 }, false],
    ['a responseCode that is not a number', { code: 'EENVELOPE', responseCode: '550' }, true],
  ])('%s → permanent: %s', (message, fields, permanent) => {
    expect(classifySmtpFailure(smtpError(message, fields)).permanent).toBe(permanent);
  });

  it('keeps the code, the reply code and the message, cut to 1000 characters', () => {
    const failure = classifySmtpFailure(
      smtpError(`Can't send mail: 550 ${'x'.repeat(2000)}`, { code: 'EENVELOPE', responseCode: 550 }),
    );
    expect(failure).toMatchObject({ permanent: true, code: 'EENVELOPE', responseCode: 550 });
    expect(failure.reason).toHaveLength(1000);
    expect(failure.reason.startsWith("Can't send mail: 550")).toBe(true);
  });

  it('treats anything that is not an error object as temporary', () => {
    expect(classifySmtpFailure('boom')).toEqual({
      permanent: false,
      code: undefined,
      responseCode: undefined,
      reason: 'boom',
    });
    expect(classifySmtpFailure(null).permanent).toBe(false);
    expect(classifySmtpFailure(undefined).reason).toBe('undefined');
  });
});
