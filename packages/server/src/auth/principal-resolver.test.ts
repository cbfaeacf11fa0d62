import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createLogger } from '../lib/logger.js';
import { FieldCipher } from '../secrets/field-encryption.js';
import { AccessTokens } from './access-tokens.js';
import { AuthStatusCache } from './auth-status-cache.js';
import { PrincipalResolver } from './principal-resolver.js';
import { ServiceKeyVerifier } from './service-key-verifier.js';
import { SigningKeyRing } from './signing-keys.js';

const TTL = 900;
const logger = createLogger('silent');
let database: TestDatabase;
let pool: Pool;
let ring: SigningKeyRing;

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 2, logger });
  await migrateSystemSchema(pool, logger);
  ring = new SigningKeyRing(pool, TTL, new FieldCipher(undefined));
  await ring.start();
});
afterAll(async () => {
  ring?.stop();
  await pool?.end();
  await database?.drop();
});

/** A user with one live session, its access token, and a resolver whose caches start empty. */
async function signedIn(email: string) {
  const { rows } = await pool.query<{ user_id: string; session_id: string }>(
    `WITH u AS (INSERT INTO hearth.users (email, "emailVerified") VALUES ($1, true) RETURNING id)
     INSERT INTO hearth.sessions (user_id, expires_at, methods)
     SELECT id, now() + interval '1 day', '{pwd}' FROM u RETURNING user_id, id AS session_id`,
    [email],
  );
  const { user_id: userId, session_id: sessionId } = rows[0]!;
  const cache = new AuthStatusCache(60_000);
  const tokens = new AccessTokens(ring, 'hearth', TTL);
  const resolver = new PrincipalResolver(pool, tokens, new ServiceKeyVerifier(pool, cache), cache);
  const { token } = tokens.issue({ userId, sessionId, role: 'user', authTime: 0, methods: ['pwd'] });
  return { userId, sessionId, cache, tokens, resolver, authorization: `Bearer ${token}`, token };
}

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof HearthError ? error.code : String(error)),
  );

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
    await pool.query('UPDATE hearth.sessions SET revoked_at = now() WHERE id = $1', [sessionId]);
    // What SessionService does after revoking (and, with Redis, what every other node hears).
    cache.forget(sessionId);
    expect(tokens.isRemembered(token)).toBe(true);
    expect(await codeOf(resolver.resolve(authorization))).toBe('auth/session-revoked');
  });

  it('refuses a remembered token at once when its user is disabled', async () => {
    const { resolver, authorization, cache, userId } = await signedIn('three@example.test');
    expect(await codeOf(resolver.resolve(authorization))).toBe('resolved');
    await pool.query('UPDATE hearth.users SET disabled = true WHERE id = $1', [userId]);
    cache.forgetUser(userId);
    expect(await codeOf(resolver.resolve(authorization))).toBe('auth/session-revoked');
  });

  it('refuses a malformed header without looking at any token', async () => {
    const { resolver } = await signedIn('four@example.test');
    expect(await codeOf(resolver.resolve('Basic abc'))).toBe('auth/invalid-token');
  });
});
