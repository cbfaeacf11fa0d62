import { describe, expect, it } from 'vitest';
import { settledCode, useKeyRing } from './key-ring.fixture.js';
import { AccessTokens } from './access-tokens.js';
import { AuthStatusCache } from './auth-status-cache.js';
import { PrincipalResolver } from './principal-resolver.js';
import { ServiceKeyVerifier } from './service-key-verifier.js';

const TTL = 900;
const keys = useKeyRing(TTL);

/** A user with one live session, its access token, and a resolver whose caches start empty. */
async function signedIn(email: string) {
  const { rows } = await keys.pool.query<{ user_id: string; session_id: string }>(
    `WITH u AS (INSERT INTO hearth.users (email, "emailVerified") VALUES ($1, true) RETURNING id)
     INSERT INTO hearth.sessions (user_id, expires_at, methods)
     SELECT id, now() + interval '1 day', '{pwd}' FROM u RETURNING user_id, id AS session_id`,
    [email],
  );
  const { user_id: userId, session_id: sessionId } = rows[0]!;
  const cache = new AuthStatusCache(60_000);
  const tokens = new AccessTokens(keys.ring, 'hearth', TTL);
  const resolver = new PrincipalResolver(keys.pool, tokens, new ServiceKeyVerifier(keys.pool, cache), cache);
  const { token } = tokens.issue({ userId, sessionId, role: 'user', authTime: 0, methods: ['pwd'] });
  return { userId, sessionId, cache, tokens, resolver, authorization: `Bearer ${token}`, token };
}

const codeOf = (promise: Promise<unknown>) => settledCode(promise);

describe('PrincipalResolver', () => {
  it('resolves a bearer token to its user, from memory the second time', async () => {
    const { resolver, authorization, token, tokens, userId, sessionId } = await signedIn('one@example.test');
    const principal = await resolver.resolve(authorization);
    expect(principal).toMatchObject({
      kind: 'user',
      sessionId,
      user: { id: userId, email: 'one@example.test' },
    });
    expect(tokens.isRemembered(token)).toBe(true);
    expect(await resolver.resolve(authorization)).toEqual(principal);
  });

  it('refuses a remembered token at once when its session is revoked on this node', async () => {
    const { resolver, authorization, cache, sessionId, token, tokens } = await signedIn('two@example.test');
    expect(await codeOf(resolver.resolve(authorization))).toBe('resolved');
    await keys.pool.query('UPDATE hearth.sessions SET revoked_at = now() WHERE id = $1', [sessionId]);
    // What SessionService does after revoking (and, with Redis, what every other node hears).
    cache.forget(sessionId);
    expect(tokens.isRemembered(token)).toBe(true);
    expect(await codeOf(resolver.resolve(authorization))).toBe('auth/session-revoked');
  });

  it('refuses a remembered token at once when its user is disabled', async () => {
    const { resolver, authorization, cache, userId } = await signedIn('three@example.test');
    expect(await codeOf(resolver.resolve(authorization))).toBe('resolved');
    await keys.pool.query('UPDATE hearth.users SET disabled = true WHERE id = $1', [userId]);
    cache.forgetUser(userId);
    expect(await codeOf(resolver.resolve(authorization))).toBe('auth/session-revoked');
  });

  it('refuses a malformed header without looking at any token', async () => {
    const { resolver } = await signedIn('four@example.test');
    expect(await codeOf(resolver.resolve('Basic abc'))).toBe('auth/invalid-token');
  });
});
