import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createLogger } from '../lib/logger.js';
import { FieldCipher } from '../secrets/field-encryption.js';
import { AccessTokens } from './access-tokens.js';
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
afterEach(() => {
  vi.useRealTimers();
});

const claimsFor = (n: number) => ({
  userId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  sessionId: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
  role: 'user',
  authTime: 0,
  methods: ['pwd'],
});

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'verified',
    (error: unknown) => (error instanceof HearthError ? error.code : String(error)),
  );

describe('AccessTokens verification cache', () => {
  it('remembers a verified token and answers the same claims from memory', async () => {
    const tokens = new AccessTokens(ring, 'hearth', TTL);
    const { token, expiresAt } = tokens.issue(claimsFor(1));
    const first = await tokens.verify(token);
    expect(tokens.isRemembered(token)).toBe(true);
    expect(await tokens.verify(token)).toEqual(first);
    expect(first).toEqual({ userId: claimsFor(1).userId, sessionId: claimsFor(1).sessionId, expiresAt });
  });

  it('never remembers a token that failed, so a forged one fails every time', async () => {
    const tokens = new AccessTokens(ring, 'hearth', TTL);
    const { token } = tokens.issue(claimsFor(2));
    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await codeOf(tokens.verify(forged))).toBe('auth/invalid-token');
    expect(tokens.isRemembered(forged)).toBe(false);
    expect(await codeOf(tokens.verify(forged))).toBe('auth/invalid-token');
  });

  it('refuses a remembered token once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokens = new AccessTokens(ring, 'hearth', 60);
    const { token } = tokens.issue(claimsFor(3));
    expect(await codeOf(tokens.verify(token))).toBe('verified');
    // Past exp and the verifier's 5 s clock tolerance.
    vi.setSystemTime(Date.now() + 66_000);
    expect(await codeOf(tokens.verify(token))).toBe('auth/token-expired');
    expect(tokens.isRemembered(token)).toBe(false);
  });

  it('keeps at most its size, dropping the least recently used token', async () => {
    const tokens = new AccessTokens(ring, 'hearth', TTL, 2);
    const [a, b, c] = [4, 5, 6].map((n) => tokens.issue(claimsFor(n)).token) as [string, string, string];
    await tokens.verify(a);
    await tokens.verify(b);
    await tokens.verify(a);
    await tokens.verify(c);
    expect([a, b, c].map((token) => tokens.isRemembered(token))).toEqual([true, false, true]);
    // A dropped token still verifies, the slow way.
    expect(await codeOf(tokens.verify(b))).toBe('verified');
  });
});
