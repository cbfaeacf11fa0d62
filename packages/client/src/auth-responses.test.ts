import { describe, expect, it } from 'vitest';
import { fakeJwt } from '../test/fake-auth-server.js';
import { mfaChallengeFrom, sessionFromServer, userFromBody } from './auth-responses.js';
import { HearthError } from './hearth-error.js';

describe('reading auth answers', () => {
  const accessToken = fakeJwt({ sub: 'u1', iat: 1000, exp: 1900 });

  it('takes expiresAt (epoch seconds) from the session', () => {
    expect(
      sessionFromServer({ accessToken, refreshToken: 'r', expiresAt: 1234, tokenType: 'Bearer' }),
    ).toEqual({
      accessToken,
      refreshToken: 'r',
      expiresAt: 1234,
      tokenType: 'Bearer',
    });
  });

  it("falls back to the JWT's exp, and tolerates milliseconds", () => {
    expect(sessionFromServer({ accessToken, refreshToken: 'r' }).expiresAt).toBe(1900);
    expect(
      sessionFromServer({ accessToken, refreshToken: 'r', expiresAt: 1_900_000_000_000 }).expiresAt,
    ).toBe(1_900_000_000);
  });

  it('rejects a session without tokens as client/invalid-response', () => {
    expect(() => sessionFromServer({ accessToken: '', refreshToken: 'r' })).toThrow(HearthError);
    expect(() => sessionFromServer({ accessToken: 'not-a-jwt', refreshToken: 'r' })).toThrow(/expir/);
  });

  it('accepts {user} or a bare user', () => {
    expect(userFromBody({ user: { id: 'u1' } })).toEqual({ id: 'u1' });
    expect(userFromBody({ id: 'u2', email: 'x' })).toEqual({ id: 'u2', email: 'x' });
    expect(() => userFromBody({ name: 'x' })).toThrow(HearthError);
  });

  it('reads an MFA challenge', () => {
    expect(mfaChallengeFrom({ ticket: 't', methods: ['totp', 1] })).toEqual({
      ticket: 't',
      methods: ['totp'],
    });
    expect(mfaChallengeFrom(undefined)).toBeUndefined();
  });
});
