import { describe, expect, it } from 'vitest';
import { emailLink, type EmailTokenPurpose } from '../auth/email-tokens.js';
import { newOpaqueToken } from '../lib/opaque-tokens.js';
import { authMail } from './auth-mail.js';
import { REDACTED, redactLinkTokens } from './link-redaction.js';

const composers: Record<EmailTokenPurpose, (to: string, link: string) => { text: string; html?: string }> = {
  'verify-email': authMail.verifyEmail,
  'reset-password': authMail.resetPassword,
  'change-email': authMail.changeEmail,
};

describe('redactLinkTokens', () => {
  const cases = Object.entries(composers).flatMap(([purpose, compose]) =>
    [null, new URL('https://app.example.test/auth?lang=fr#top'), new URL('myapp://auth/cb')].map(
      (redirectTo) => [purpose as EmailTokenPurpose, compose, redirectTo] as const,
    ),
  );

  it.each(cases)('leaves no token in a %s mail (redirectTo %s)', (purpose, compose, redirectTo) => {
    const token = newOpaqueToken();
    const mail = compose(
      'ada@example.test',
      emailLink('https://hearth.example.test', purpose, token, redirectTo),
    );
    expect(mail.text).toContain(token);
    const redacted = redactLinkTokens(mail.text);
    expect(redacted).not.toContain(token);
    expect(redacted).toContain(`token=${REDACTED}`);
  });

  it('keeps the rest of the text and link, and finds tokens in HTML', () => {
    expect(redactLinkTokens('see https://x.test/p?a=1&token=abc_DEF-123&type=reset-password#f')).toBe(
      'see https://x.test/p?a=1&token=[redacted]&type=reset-password#f',
    );
    expect(redactLinkTokens('<a href="https://x.test/p?a=1&amp;token=abc">x</a>')).toBe(
      '<a href="https://x.test/p?a=1&amp;token=[redacted]">x</a>',
    );
    expect(redactLinkTokens('no link, a token= in prose, mytoken=abc')).toBe(
      'no link, a token= in prose, mytoken=abc',
    );
  });
});
