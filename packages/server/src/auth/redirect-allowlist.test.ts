import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { HearthError } from '../errors/index.js';
import { allowedRedirect } from '../lib/redirect-urls.js';
import { checkRedirect } from './redirect-allowlist.js';

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

describe('HEARTH_AUTH_REDIRECT_URLS at start', () => {
  const load = (value: string) =>
    loadConfig({ env: { HEARTH_DATABASE_URL: 'postgres://localhost/x', HEARTH_AUTH_REDIRECT_URLS: value } });
  function refusal(value: string): string {
    try {
      load(value);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).not.toContain('\n');
      return message;
    }
    throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  }

  it('accepts every form a redirect can match, and an empty list', () => {
    expect(load(allowlist.join(', ')).authRedirectUrls).toEqual(allowlist);
    expect(load(' https://app.example.com/ ,, http://127.0.0.1:3000/cb ').authRedirectUrls).toEqual([
      'https://app.example.com/',
      'http://127.0.0.1:3000/cb',
    ]);
    expect(load('').authRedirectUrls).toEqual([]);
    expect(load(' , ').authRedirectUrls).toEqual([]);
  });

  it.each([
    ['app.example.com', /entry 1 of 1: "app\.example\.com" is not an absolute URL; write it with its scheme/],
    ['/auth/callback', /"\/auth\/callback" is not an absolute URL/],
    ['//app.example.com/', /"\/\/app\.example\.com\/" is not an absolute URL/],
    ['*', /"\*" is not an absolute URL/],
    ['localhost:5173', /"localhost:5173" is not an absolute URL with a path; write it as scheme:\/\/host\//],
    ['mailto:auth@app.example.com', /"mailto:auth@app\.example\.com" is not an absolute URL with a path/],
    ['myapp:callback', /"myapp:callback" is not an absolute URL with a path/],
    ['javascript:/x', /"javascript:\/x" uses javascript:, which is never allowed/],
    ['data:/x', /uses data:, which is never allowed/],
    [
      'https://*.example.com/',
      /"https:\/\/\*\.example\.com\/" has a \* in its host; wildcards are not supported/,
    ],
    ['myapp://*/', /has a \* in its host/],
    ['https://app.example.com/*', /has a \* in its path; a prefix already allows every path below it/],
    ['https://app.example.com/#/callback', /has a fragment \(#…\)/],
    ['https://app.example.com/#', /has a fragment/],
    ['https://app.example.com/?next=1', /has a query \(\?…\)/],
    ['https://admin@app.example.com/', /carries a user name or password/],
  ])('refuses %s with one line naming the entry', (entry, pattern) => {
    const message = refusal(entry);
    expect(message).toMatch(/^HEARTH_AUTH_REDIRECT_URLS: entry 1 of 1: /);
    expect(message).toMatch(pattern);
  });

  it('names the bad entry by its position among good ones', () => {
    expect(refusal('https://app.example.com/, app.example.com/auth, myapp://auth/')).toMatch(
      /^HEARTH_AUTH_REDIRECT_URLS: entry 2 of 3: "app\.example\.com\/auth" is not an absolute URL/,
    );
  });

  it('never echoes the password of an entry with credentials', () => {
    const message = refusal('https://app.example.com/, https://deploy:hunter2@app.example.com/auth');
    expect(message).toMatch(
      /entry 2 of 2: "https:\/\/…@app\.example\.com\/auth" carries a user name or password/,
    );
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('deploy');
  });
});
