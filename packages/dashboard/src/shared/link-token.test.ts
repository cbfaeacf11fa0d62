import { describe, expect, it } from 'vitest';
import { readLinkToken } from './link-token.ts';

describe('readLinkToken', () => {
  it('takes the token and leaves the rest of the address', () => {
    expect(readLinkToken('http://h.test/_/auth/reset-password?token=abc%2Bdef&x=1#top')).toEqual({
      token: 'abc+def',
      cleanUrl: '/_/auth/reset-password?x=1#top',
    });
  });

  it('gives a clean path with no question mark when the token was all there was', () => {
    expect(readLinkToken('http://h.test/_/setup?token=t0k')).toEqual({ token: 't0k', cleanUrl: '/_/setup' });
  });

  it('says there is no token when it is missing or empty', () => {
    expect(readLinkToken('http://h.test/_/setup').token).toBeUndefined();
    expect(readLinkToken('http://h.test/_/setup?token=').token).toBeUndefined();
  });
});
