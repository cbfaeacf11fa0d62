import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeJwt } from '../test/fake-auth-server.js';
import { numericClaim, readJwtClaims } from './jwt-claims.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('reading JWT claims', () => {
  const token = fakeJwt({ sub: 'u1', exp: 1900, name: 'Zoë 🔥' });

  it('reads the payload, including non-ASCII text', () => {
    expect(readJwtClaims(token)).toEqual({ sub: 'u1', exp: 1900, name: 'Zoë 🔥' });
    expect(numericClaim(token, 'exp')).toBe(1900);
    expect(numericClaim(token, 'sub')).toBeUndefined();
  });

  it('works without TextDecoder (older React Native)', () => {
    vi.stubGlobal('TextDecoder', undefined);
    expect(readJwtClaims(token)?.['name']).toBe('Zoë 🔥');
  });

  it('returns undefined for anything that is not a JWT with a JSON object payload', () => {
    for (const bad of ['', 'opaque', 'a.!!!.c', `a.${Buffer.from('[1]').toString('base64url')}.c`]) {
      expect(readJwtClaims(bad)).toBeUndefined();
    }
  });
});
