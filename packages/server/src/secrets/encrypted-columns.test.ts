import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { ConfigError } from '../config/load-config.js';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { createLogger } from '../lib/logger.js';
import { openPrivateJwk, resealSecrets, sealPrivateJwk, secretContext } from './encrypted-columns.js';
import { encryptionKeyId, FieldCipher, keyIdOf } from './field-encryption.js';

let database: TestDatabase;
let pool: Pool;
const logger = createLogger('silent');
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const keyC = randomBytes(32);
const plain = new FieldCipher(undefined);

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 6, logger });
  await migrateSystemSchema(pool, logger);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});

interface Seeded {
  users: Array<{ id: string; secret: string; pending: string }>;
  keys: Array<{ kid: string; jwk: { kty: string; crv: string; d: string; x: string } }>;
}

const RETIRED_KID = 'kid-retired';

/** Users with TOTP secrets and signing keys, written the way `writer` would write them. */
async function seed(writer: FieldCipher, userCount = 3): Promise<Seeded> {
  await pool.query('DELETE FROM hearth.signing_keys');
  await pool.query('DELETE FROM hearth.users');
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO hearth.users (anonymous) SELECT true FROM generate_series(1, $1) RETURNING id',
    [userCount],
  );
  const users = rows.map((row) => ({
    id: row.id,
    secret: randomBytes(20).toString('hex').toUpperCase(),
    pending: randomBytes(20).toString('hex').toUpperCase(),
  }));
  await pool.query(
    `UPDATE hearth.users AS u SET "totpSecret" = v.secret, "totpPendingSecret" = v.pending
     FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, secret, pending) WHERE u.id = v.id`,
    [
      users.map((user) => user.id),
      users.map((user) => writer.seal(user.secret, secretContext.totpSecret(user.id))),
      users.map((user) => writer.seal(user.pending, secretContext.totpPendingSecret(user.id))),
    ],
  );
  // A retired key has no private half left: there is nothing in it to encrypt or open.
  await pool.query(
    `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk, retired_at)
     VALUES ('${RETIRED_KID}', 'EdDSA', NULL, '{}', now())`,
  );
  const keys = [
    {
      kid: 'kid-active',
      jwk: { kty: 'OKP', crv: 'Ed25519', d: randomBytes(32).toString('base64url'), x: 'public' },
    },
  ];
  for (const key of keys) {
    await pool.query(
      `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, 'EdDSA', $2::jsonb, '{}')`,
      [key.kid, sealPrivateJwk(writer, key.kid, key.jwk)],
    );
  }
  return { users, keys };
}

async function storedUsers(): Promise<Array<{ id: string; totpSecret: string; totpPendingSecret: string }>> {
  const { rows } = await pool.query<{ id: string; totpSecret: string; totpPendingSecret: string }>(
    'SELECT id, "totpSecret", "totpPendingSecret" FROM hearth.users ORDER BY id',
  );
  return rows;
}

async function storedKeys(): Promise<Array<{ kid: string; private_jwk: unknown }>> {
  const { rows } = await pool.query<{ kid: string; private_jwk: unknown }>(
    'SELECT kid, private_jwk FROM hearth.signing_keys ORDER BY kid',
  );
  return rows;
}

/** Every stored value is encrypted under `keyId` and opens with `reader` to what was seeded. */
async function expectAllSealedUnder(seeded: Seeded, reader: FieldCipher, keyId: string): Promise<void> {
  const users = await storedUsers();
  expect(users).toHaveLength(seeded.users.length);
  for (const row of users) {
    const user = seeded.users.find((candidate) => candidate.id === row.id)!;
    expect(keyIdOf(row.totpSecret)).toBe(keyId);
    expect(keyIdOf(row.totpPendingSecret)).toBe(keyId);
    expect(row.totpSecret).not.toContain(user.secret);
    expect(reader.open(row.totpSecret, secretContext.totpSecret(row.id))).toBe(user.secret);
    expect(reader.open(row.totpPendingSecret, secretContext.totpPendingSecret(row.id))).toBe(user.pending);
  }
  for (const row of await storedKeys()) {
    if (row.kid === RETIRED_KID) {
      expect(row.private_jwk).toBeNull();
      continue;
    }
    const key = seeded.keys.find((candidate) => candidate.kid === row.kid)!;
    expect(typeof row.private_jwk).toBe('string');
    expect(keyIdOf(row.private_jwk as string)).toBe(keyId);
    expect(row.private_jwk).not.toContain(key.jwk.d);
    expect(openPrivateJwk(reader, row.kid, row.private_jwk)).toEqual(key.jwk);
  }
}

async function configErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('resealSecrets', () => {
  beforeEach(async () => {
    await pool.query('DELETE FROM hearth.signing_keys');
    await pool.query('DELETE FROM hearth.users');
  });

  it('without a key, leaves plaintext alone', async () => {
    const seeded = await seed(plain);
    expect(await resealSecrets(pool, plain, logger)).toEqual({ resealed: 0, unreadable: [] });
    const users = await storedUsers();
    expect(users.map((row) => row.totpSecret).sort()).toEqual(seeded.users.map((user) => user.secret).sort());
    expect((await storedKeys()).every((row) => typeof row.private_jwk === 'object')).toBe(true);
  });

  it('encrypts legacy plaintext (text columns and JWK objects) once a key is set, and is idempotent', async () => {
    const seeded = await seed(plain);
    const cipher = new FieldCipher(keyA);
    expect(await resealSecrets(pool, cipher, logger)).toEqual({ resealed: 3 * 2 + 1, unreadable: [] });
    await expectAllSealedUnder(seeded, cipher, encryptionKeyId(keyA));
    const before = await storedUsers();
    expect(await resealSecrets(pool, cipher, logger)).toEqual({ resealed: 0, unreadable: [] });
    expect(await storedUsers()).toEqual(before);
  });

  it('re-encrypts values under a previous key to the current one; afterwards the old key is not needed', async () => {
    const seeded = await seed(new FieldCipher(keyA));
    expect((await resealSecrets(pool, new FieldCipher(keyB, [keyA]), logger)).resealed).toBe(7);
    await expectAllSealedUnder(seeded, new FieldCipher(keyB), encryptionKeyId(keyB));
  });

  it('works through more rows than one batch', async () => {
    const seeded = await seed(plain, 1_203);
    const cipher = new FieldCipher(keyA);
    expect((await resealSecrets(pool, cipher, logger)).resealed).toBe(1_203 * 2 + 1);
    await expectAllSealedUnder(seeded, cipher, encryptionKeyId(keyA));
  });

  it('nodes starting at once each finish with every value sealed exactly once', async () => {
    const seeded = await seed(plain, 600);
    const cipher = new FieldCipher(keyA);
    const reports = await Promise.all([
      resealSecrets(pool, cipher, logger),
      resealSecrets(pool, new FieldCipher(keyA), logger),
      resealSecrets(pool, new FieldCipher(keyA, [keyB]), logger),
    ]);
    expect(reports.reduce((sum, report) => sum + report.resealed, 0)).toBe(600 * 2 + 1);
    await expectAllSealedUnder(seeded, cipher, encryptionKeyId(keyA));
  });

  it('refuses to start when values are under a key that is not configured, and changes nothing', async () => {
    await seed(new FieldCipher(keyB));
    const before = { users: await storedUsers(), keys: await storedKeys() };
    const message = await configErrorOf(resealSecrets(pool, new FieldCipher(keyC, [keyA]), logger));
    expect(message).toMatch(
      /^HEARTH_ENCRYPTION_KEY: stored secrets encrypted with key [0-9a-f]{8} cannot be opened/,
    );
    expect(message).toContain(encryptionKeyId(keyB));
    expect(message).toContain('3 in hearth.users."totpSecret"');
    expect(message).toContain('1 in hearth.signing_keys.private_jwk');
    expect(message).toContain('docs/auth.md#losing-the-key');
    expect({ users: await storedUsers(), keys: await storedKeys() }).toEqual(before);
  });

  it('refuses to start without a key when encrypted values exist (never reads them as plaintext)', async () => {
    await seed(new FieldCipher(keyA));
    const message = await configErrorOf(resealSecrets(pool, plain, logger));
    expect(message).toContain(encryptionKeyId(keyA));
    expect(message).toMatch(/HEARTH_ENCRYPTION_KEY is not set/);
  });

  it('refuses a value moved to another row (a swapped ciphertext does not authenticate)', async () => {
    const cipher = new FieldCipher(keyA);
    const seeded = await seed(cipher, 2);
    const [first, second] = seeded.users;
    await pool.query(
      `UPDATE hearth.users SET "totpSecret" = (SELECT "totpSecret" FROM hearth.users WHERE id = $2) WHERE id = $1`,
      [first!.id, second!.id],
    );
    const message = await configErrorOf(resealSecrets(pool, new FieldCipher(keyB, [keyA]), logger));
    expect(message).toContain('1 in hearth.users."totpSecret"');
    expect(message).toContain(`users.totpSecret:${first!.id}`);
    expect(message).toMatch(/does not authenticate/);
  });
});
