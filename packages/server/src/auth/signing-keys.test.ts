import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'postgres-migrations';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@hearth/testkit';
import { migrateSystemSchema } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { HearthError } from '../errors/index.js';
import { createLogger } from '../lib/logger.js';
import { runCleanupPass } from '../ops/cleanup.js';
import { resealSecrets } from '../secrets/encrypted-columns.js';
import { encryptionKeyId, FieldCipher, keyIdOf } from '../secrets/field-encryption.js';
import { AccessTokens } from './access-tokens.js';
import { retiredKeyPublishSeconds, SigningKeyRing } from './signing-keys.js';

const TTL = 900;
const logger = createLogger('silent');
const keyA = randomBytes(32);
const keyB = randomBytes(32);
let database: TestDatabase;
let pool: Pool;
const rings: SigningKeyRing[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = createPool({ connectionString: database.url, max: 4, logger });
  await migrateSystemSchema(pool, logger);
});
afterAll(async () => {
  await pool?.end();
  await database?.drop();
});
beforeEach(async () => {
  await pool.query('DELETE FROM hearth.signing_keys');
});
afterEach(() => {
  for (const ring of rings.splice(0)) ring.stop();
});

async function startRing(cipher = new FieldCipher(undefined)): Promise<SigningKeyRing> {
  const ring = new SigningKeyRing(pool, TTL, cipher);
  rings.push(ring);
  await ring.start();
  return ring;
}

// sub and sid are UUIDs: the verifier refuses anything else.
const USER_ID = '00000000-0000-4000-8000-000000000001';
const claims = {
  userId: USER_ID,
  sessionId: '00000000-0000-4000-8000-000000000002',
  role: 'user',
  authTime: 0,
  methods: ['pwd'],
};
const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;

async function storedKeys(): Promise<Array<{ kid: string; private_jwk: unknown; retired: boolean }>> {
  const { rows } = await pool.query<{ kid: string; private_jwk: unknown; retired: boolean }>(
    'SELECT kid, private_jwk, retired_at IS NOT NULL AS retired FROM hearth.signing_keys ORDER BY created_at',
  );
  return rows;
}

/** Moves a key's retirement `seconds` into the past. */
async function retireAgo(kid: string, seconds: number): Promise<void> {
  await pool.query(
    'UPDATE hearth.signing_keys SET retired_at = now() - make_interval(secs => $2) WHERE kid = $1',
    [kid, seconds],
  );
}

const cleanup = () =>
  runCleanupPass(pool, {
    retention: {
      endedSessionDays: 7,
      outboxDays: 30,
      retiredSigningKeySeconds: retiredKeyPublishSeconds(TTL),
      revokedCredentialDays: 30,
    },
  });

describe('signing key rotation', () => {
  it('erases the retired key’s private half; tokens it signed still verify and it stays in the JWKS', async () => {
    const ring = await startRing();
    const tokens = new AccessTokens(ring, 'hearth', TTL);
    const old = tokens.issue(claims);
    const oldKid = kidOf(old.token);

    const newKid = await ring.rotate();
    expect(await storedKeys()).toEqual([
      { kid: oldKid, private_jwk: null, retired: true },
      { kid: newKid, private_jwk: expect.objectContaining({ d: expect.any(String) }), retired: false },
    ]);
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([oldKid, newKid]);
    expect(JSON.stringify(ring.jwks())).not.toMatch(/"d":/);

    // A fresh verifier (another node, no cache) accepts the old token from the public half alone.
    const otherNode = await startRing();
    expect(await new AccessTokens(otherNode, 'hearth', TTL).verify(old.token)).toMatchObject({
      userId: USER_ID,
    });
    expect(kidOf(tokens.issue(claims).token)).toBe(newKid);
    expect(otherNode.signingKey().kid).toBe(newKid);
  });

  it('a retired key cannot keep or regain its private half (database constraint)', async () => {
    const ring = await startRing();
    const oldKid = ring.signingKey().kid;
    await ring.rotate();
    await expect(
      pool.query(`UPDATE hearth.signing_keys SET private_jwk = '{"d":"x"}' WHERE kid = $1`, [oldKid]),
    ).rejects.toThrow(/signing_keys_private_only_while_active/);
    await expect(
      pool.query(
        `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk, retired_at)
         VALUES ('retired-with-secret', 'EdDSA', '{"d":"x"}', '{}', now())`,
      ),
    ).rejects.toThrow(/signing_keys_private_only_while_active/);
    // Nor can the active key lose it.
    await expect(
      pool.query('UPDATE hearth.signing_keys SET private_jwk = NULL WHERE retired_at IS NULL'),
    ).rejects.toThrow(/signing_keys_private_only_while_active/);
  });

  it('cleanup keeps a retired key through its publish window, then deletes it and the JWKS drops it', async () => {
    const ring = await startRing();
    const tokens = new AccessTokens(ring, 'hearth', TTL);
    const old = tokens.issue(claims);
    const oldKid = kidOf(old.token);
    const newKid = await ring.rotate();

    // One minute short of the window (TTL + 5 minutes): kept, still published.
    await retireAgo(oldKid, retiredKeyPublishSeconds(TTL) - 60);
    expect(await cleanup()).toMatchObject({ ran: true, deleted: { signing_keys: 0 } });
    await ring.reload();
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([oldKid, newKid]);

    // Past it: deleted, and gone from the JWKS at the next reload.
    await retireAgo(oldKid, retiredKeyPublishSeconds(TTL) + 1);
    expect(await cleanup()).toMatchObject({ ran: true, deleted: { signing_keys: 1 } });
    expect((await storedKeys()).map((row) => row.kid)).toEqual([newKid]);
    await ring.reload();
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([newKid]);
    // The active key is never deleted, however old.
    await pool.query("UPDATE hearth.signing_keys SET created_at = now() - interval '10 years'");
    expect(await cleanup()).toMatchObject({ ran: true, deleted: { signing_keys: 0 } });

    // A node that never saw the old key finds no key for it.
    const otherNode = await startRing();
    const refused = new AccessTokens(otherNode, 'hearth', TTL).verify(old.token);
    await expect(refused).rejects.toBeInstanceOf(HearthError);
    await expect(refused).rejects.toMatchObject({ code: 'auth/invalid-token' });
    expect(otherNode.signingKey().kid).toBe(newKid);
  });

  it('with encryption on, a restart with HEARTH_ENCRYPTION_KEY_PREVIOUS re-encrypts only the active key and loads the retired one', async () => {
    const ring = await startRing(new FieldCipher(keyA));
    const tokens = new AccessTokens(ring, 'hearth', TTL);
    const old = tokens.issue(claims);
    const newKid = await ring.rotate();
    ring.stop();

    // The key rotation at restart: only the active key has anything to re-encrypt.
    const rotated = new FieldCipher(keyB, [keyA]);
    expect(await resealSecrets(pool, rotated, logger)).toEqual({ resealed: 1, unreadable: [] });
    const rows = await storedKeys();
    expect(rows.map((row) => [row.retired, row.private_jwk === null])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(keyIdOf(rows[1]!.private_jwk as string)).toBe(encryptionKeyId(keyB));

    // Then the old encryption key is dropped: the node starts, signs with the active key, verifies the old token.
    const restarted = await startRing(new FieldCipher(keyB));
    expect(await resealSecrets(pool, new FieldCipher(keyB), logger)).toEqual({ resealed: 0, unreadable: [] });
    expect(restarted.signingKey().kid).toBe(newKid);
    const verifier = new AccessTokens(restarted, 'hearth', TTL);
    expect(await verifier.verify(old.token)).toMatchObject({ userId: USER_ID });
    expect(
      await verifier.verify(new AccessTokens(restarted, 'hearth', TTL).issue(claims).token),
    ).toMatchObject({ userId: USER_ID });
  });
});

describe('migration 008 on an existing database', () => {
  it('erases the private half of keys retired before it, and leaves the active key alone', async () => {
    const upgraded = await createTestDatabase();
    const upgradedPool = createPool({ connectionString: upgraded.url, max: 2, logger });
    const before = await mkdtemp(join(tmpdir(), 'hearth-migrations-'));
    try {
      // The schema as it was before 008: the same files, so the upgrade sees them as applied.
      const dir = fileURLToPath(new URL('../../migrations', import.meta.url));
      for (const name of await readdir(dir)) {
        if (name < '008') await copyFile(join(dir, name), join(before, name));
      }
      const client = await upgradedPool.connect();
      try {
        await client.query('CREATE SCHEMA hearth');
        await client.query('SET search_path TO hearth');
        await migrate({ client }, before);
        await client.query('RESET search_path');
      } finally {
        client.release();
      }
      await upgradedPool.query(
        `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk, retired_at) VALUES
           ('old', 'EdDSA', '{"d":"old-secret"}', '{}', now() - interval '1 minute'),
           ('older', 'EdDSA', '"enc:v1:0000abcd:x:y"', '{}', now() - interval '1 day'),
           ('active', 'EdDSA', '{"d":"active-secret"}', '{}', NULL)`,
      );

      expect(await migrateSystemSchema(upgradedPool, logger)).toContain('key-hygiene');
      const { rows } = await upgradedPool.query<{ kid: string; private_jwk: unknown }>(
        'SELECT kid, private_jwk FROM hearth.signing_keys ORDER BY kid',
      );
      expect(rows).toEqual([
        { kid: 'active', private_jwk: { d: 'active-secret' } },
        { kid: 'old', private_jwk: null },
        { kid: 'older', private_jwk: null },
      ]);
      // The retired key encrypted under a key nobody has any more no longer stops a start.
      expect(await resealSecrets(upgradedPool, new FieldCipher(undefined), logger)).toEqual({
        resealed: 0,
        unreadable: [],
      });
    } finally {
      await rm(before, { recursive: true, force: true });
      await upgradedPool.end();
      await upgraded.drop();
    }
  });
});
