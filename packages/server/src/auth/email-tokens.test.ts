import { describe, expect, it } from 'vitest';
import { accountExistsLink, emailLink } from './email-tokens.js';

const PUBLIC = 'https://hearth.example.com';
const TOKEN = 'tok_abc-123';

describe('emailLink', () => {
  it('without redirectTo points at the dashboard page', () => {
    expect(emailLink(PUBLIC, 'verify-email', TOKEN, null)).toBe(
      'https://hearth.example.com/_/auth/verify-email?token=tok_abc-123',
    );
    expect(emailLink(PUBLIC, 'reset-password', TOKEN, null)).toContain('/_/auth/reset-password?token=');
    expect(emailLink(PUBLIC, 'change-email', TOKEN, null)).toContain('/_/auth/confirm-email?token=');
  });

  it('with redirectTo adds token and type to its query', () => {
    const link = new URL(emailLink(PUBLIC, 'reset-password', TOKEN, new URL('https://app.example.com/auth')));
    expect(link.origin + link.pathname).toBe('https://app.example.com/auth');
    expect(link.searchParams.get('token')).toBe(TOKEN);
    expect(link.searchParams.get('type')).toBe('reset-password');
  });

  it('keeps the existing query byte for byte and the fragment after it', () => {
    const base = new URL('https://app.example.com/auth?next=%2Fhome%20page&x=a+b#section');
    expect(emailLink(PUBLIC, 'verify-email', TOKEN, base)).toBe(
      'https://app.example.com/auth?next=%2Fhome%20page&x=a+b&token=tok_abc-123&type=verify-email#section',
    );
  });

  it('replaces a token or type the redirectTo already carries, so none can be smuggled in', () => {
    const base = new URL('https://app.example.com/auth?token=attacker&type=reset-password&keep=1');
    const link = new URL(emailLink(PUBLIC, 'change-email', TOKEN, base));
    expect(link.searchParams.getAll('token')).toEqual([TOKEN]);
    expect(link.searchParams.getAll('type')).toEqual(['change-email']);
    expect(link.searchParams.get('keep')).toBe('1');
  });

  it('encodes a token that needs it', () => {
    const link = new URL(emailLink(PUBLIC, 'verify-email', 'a+b/c=&d', new URL('https://app.example.com/')));
    expect(link.searchParams.get('token')).toBe('a+b/c=&d');
  });
});

describe('accountExistsLink', () => {
  it('is the forgot-password page, or the app page with type=account-exists and no token', () => {
    expect(accountExistsLink(PUBLIC, null)).toBe('https://hearth.example.com/_/auth/forgot-password');
    const link = new URL(accountExistsLink(PUBLIC, new URL('https://app.example.com/auth#x')));
    expect(link.searchParams.get('type')).toBe('account-exists');
    expect(link.searchParams.has('token')).toBe(false);
    expect(link.hash).toBe('#x');
  });
});
