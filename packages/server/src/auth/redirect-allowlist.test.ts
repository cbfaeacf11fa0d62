import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { HearthError } from '../errors/index.js';
import { allowedRedirect, checkRedirect } from './redirect-allowlist.js';

const allowlist = [
  'https://hearth.example.com',
  'https://app.example.com/',
  'https://shop.example.com/auth',
  'http://localhost:5173/',
  'com.example.app:/callback',
  'myapp://auth/',
];

describe('allowedRedirect', () => {
  it.each([
    ['https://app.example.com/', 'the prefix itself'],
    ['https://app.example.com/welcome?next=%2Fhome#top', 'a page below it, query and fragment kept'],
    ['HTTPS://APP.EXAMPLE.COM:443/x', 'scheme, host and default port in another spelling'],
    ['https://hearth.example.com/_/auth/verify-email', 'the public URL'],
    ['https://shop.example.com/auth', 'a prefix without a trailing slash, exactly'],
    ['https://shop.example.com/auth/reset', 'and below it'],
    ['http://localhost:5173/verify', 'a local dev server with its port'],
    ['com.example.app:/callback/verify', 'a private-use scheme of a native app'],
    ['myapp://auth/verify', 'a custom scheme with a host'],
  ])('allows %s (%s)', (value) => {
    expect(allowedRedirect(value, allowlist)).toBeInstanceOf(URL);
  });

  it.each([
    ['https://evil.example/', 'another host'],
    ['https://app.example.com.evil.example/', 'the allowed host as a prefix of another'],
    ['https://app.example.com@evil.example/', 'userinfo that looks like the allowed host'],
    ['https://user:pass@app.example.com/', 'credentials on the allowed host'],
    ['https://evil.example\\@app.example.com/', 'a backslash before the at sign'],
    ['//evil.example/', 'protocol-relative'],
    ['/relative/path', 'relative'],
    ['http://app.example.com/', 'http where https is allowed'],
    ['https://app.example.com:8443/', 'another port'],
    ['https://shop.example.com/authority', 'a path that merely starts with the prefix'],
    ['https://shop.example.com/auth/../admin', 'dot segments climbing out of the prefix'],
    ['https://shop.example.com/auth/%2e%2e/admin', 'encoded dot segments climbing out'],
    ['javascript:alert(document.domain)', 'javascript:'],
    ['JaVaScRiPt:alert(1)', 'javascript: in mixed case'],
    ['javascript://app.example.com/%0aalert(1)', 'javascript: dressed as a URL with the host'],
    ['data:text/html,<script>alert(1)</script>', 'data:'],
    ['otherapp://auth/verify', 'another custom scheme'],
    ['myapp://evil/verify', 'the custom scheme with another host'],
    ['com.example.app:/elsewhere', 'the private-use scheme outside its path'],
    ['mailto:someone@app.example.com', 'an opaque path'],
    ['not a url', 'garbage'],
    ['https://app.example.com./', 'a trailing dot on the host'],
  ])('refuses %s (%s)', (value) => {
    expect(allowedRedirect(value, allowlist)).toBeUndefined();
  });

  it('refuses script and data schemes even when an operator lists them', () => {
    expect(allowedRedirect('javascript:/x', ['javascript:/'])).toBeUndefined();
    expect(allowedRedirect('data:/x', ['data:/'])).toBeUndefined();
  });

  it('ignores list entries that are not URLs instead of matching everything', () => {
    expect(allowedRedirect('https://evil.example/', ['*', '', 'app.example.com'])).toBeUndefined();
  });

  it('returns the parsed, normalised URL, which is what callers use', () => {
    expect(allowedRedirect('  HTTPS://App.Example.com/a/./b\t', allowlist)?.href).toBe(
      'https://app.example.com/a/b',
    );
  });
});

describe('checkRedirect', () => {
  const deps = {
    publicUrl: () => 'https://hearth.example.com',
    config: loadConfig({
      env: {
        HEARTH_DATABASE_URL: 'postgres://localhost/x',
        HEARTH_AUTH_REDIRECT_URLS: 'https://app.example.com/',
      },
    }),
  };

  it('is null when absent or empty', () => {
    expect(checkRedirect(undefined, deps)).toBeNull();
    expect(checkRedirect('', deps)).toBeNull();
  });

  it('allows the public URL and the configured prefixes', () => {
    expect(checkRedirect('https://hearth.example.com/x', deps)?.href).toBe('https://hearth.example.com/x');
    expect(checkRedirect('https://app.example.com/x', deps)?.href).toBe('https://app.example.com/x');
  });

  it('throws 400 auth/redirect-not-allowed naming the field', () => {
    let caught: unknown;
    try {
      checkRedirect('https://evil.example/', deps);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HearthError);
    const error = caught as HearthError;
    expect(error.code).toBe('auth/redirect-not-allowed');
    expect(error.status).toBe(400);
    expect(error.details).toEqual({ fields: [expect.objectContaining({ path: 'redirectTo' })] });
    expect(error.message).not.toContain('evil.example');
  });
});
