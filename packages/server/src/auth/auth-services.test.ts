import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { loadConfig } from '../config/index.js';
import { createPool, type Pool } from '../db/pool.js';
import { migrateSystemSchema } from '../db/migrate.js';
import { HearthError } from '../errors/index.js';
import { createLogger } from '../lib/logger.js';
import { FieldCipher } from '../secrets/field-encryption.js';
import { createAuth, type Auth } from './create-auth.js';
import { passwordProblem } from './password-policy.js';
import { requireAdmin, requireUser, type Principal } from './principal.js';

// The services take plain arguments: these tests call them with no HTTP at all.
let database: TestDatabase;
let pool: Pool;
let auth: Auth;
const logger = createLogger('silent');
const client = { ip: '192.0.2.1', userAgent: 'unit-test' };

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 4, logger });
  await migrateSystemSchema(pool, logger);
  const config = loadConfig({
    env: { HEARTH_DATABASE_URL: database.url, HEARTH_AUTH_CONFIRM_EMAIL: 'false' },
  });
  auth = await createAuth({
    config,
    logger,
    pool,
    redis: undefined,
    fieldCipher: new FieldCipher(undefined),
    publicUrl: () => 'http://hearth.test',
  });
});
afterAll(async () => {
  await auth?.close();
  await pool?.end();
  await database?.drop();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HearthError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('auth services without HTTP', () => {
  it('signs up (no confirmation configured), logs in, and resolves the access token to a principal', async () => {
    const signup = await auth.accounts.signup(
      { email: 'Service@Example.test', password: 'a fine passphrase' },
      client,
    );
    expect(signup.session).not.toBeNull();
    expect(signup.user.email).toBe('service@example.test');
    const principal = await auth.principals.resolve(`Bearer ${signup.session!.accessToken}`);
    expect(principal).toMatchObject({ kind: 'user', user: { email: 'service@example.test', role: 'user' } });
    expect(
      await codeOf(
        auth.accounts.signup({ email: 'service@example.test', password: 'a fine passphrase' }, client),
      ),
    ).toBe('auth/email-taken');
  });

  it('refresh rotates and reuse revokes', async () => {
    const { session } = await auth.accounts.signup(
      { email: 'rotate@example.test', password: 'a fine passphrase' },
      client,
    );
    const next = await auth.sessions.refresh(session!.refreshToken);
    expect(await codeOf(auth.sessions.refresh(session!.refreshToken))).toBe('auth/session-revoked');
    expect(await codeOf(auth.sessions.refresh(next.session.refreshToken))).toBe('auth/session-revoked');
    expect(await codeOf(auth.principals.resolve(`Bearer ${next.session.accessToken}`))).toBe(
      'auth/session-revoked',
    );
  });

  it('an absent header is anonymous; a malformed one is an error', async () => {
    expect(await auth.principals.resolve(undefined)).toEqual({ kind: 'anonymous' });
    expect(await codeOf(auth.principals.resolve('Token abc'))).toBe('auth/invalid-token');
  });

  it('requireUser and requireAdmin', () => {
    const anonymous: Principal = { kind: 'anonymous' };
    const user: Principal = {
      kind: 'user',
      sessionId: 's',
      user: { id: 'u', email: null, role: 'user', emailVerified: false, anonymous: true },
    };
    const service: Principal = { kind: 'service', keyId: 'k', name: 'ci', scopes: [] };
    expect(() => requireUser(anonymous)).toThrow(expect.objectContaining({ code: 'auth/unauthenticated' }));
    expect(requireUser(user)).toBe(user);
    expect(() => requireUser(service)).toThrow(expect.objectContaining({ code: 'auth/forbidden' }));
    expect(() => requireAdmin(user)).toThrow(expect.objectContaining({ code: 'auth/forbidden' }));
    expect(requireAdmin(service)).toBe(service);
  });

  it('password policy: length counts characters, not bytes; common passwords are refused', () => {
    expect(passwordProblem('ñññññññ')).toBe('too-short');
    expect(passwordProblem('ññññññññ')).toBeUndefined();
    expect(passwordProblem('iloveyou')).toBe('common');
    expect(passwordProblem('Qwertyuiop')).toBe('common');
    expect(passwordProblem('x'.repeat(1024))).toBeUndefined();
  });
});
