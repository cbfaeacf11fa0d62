import { createPrivateKey, randomUUID, type JsonWebKeyInput, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Pool } from '../db/pool.js';
import { openPrivateJwk, sealPrivateJwk } from '../secrets/encrypted-columns.js';
import type { FieldCipher } from '../secrets/field-encryption.js';

export const ACCESS_TOKEN_ALG = 'EdDSA';
/** Extra time a retired key stays published, for nodes that have not reloaded yet. */
const PUBLISH_MARGIN_SECONDS = 300;

/**
 * How long a retired key stays in the JWKS: every token it signed has
 * expired by then (a node that had not reloaded yet may have signed with it
 * for up to a minute after the rotation; the margin covers that). Past this,
 * nothing needs the key and cleanup deletes its row.
 */
export function retiredKeyPublishSeconds(accessTokenTtlSeconds: number): number {
  return accessTokenTtlSeconds + PUBLISH_MARGIN_SECONDS;
}
const RELOAD_INTERVAL_MS = 60_000;
const UNKNOWN_KID_RELOAD_MS = 5_000;

interface LoadedKey {
  kid: string;
  /** A node:crypto key: access tokens are signed synchronously (jwt-signer.ts). */
  privateKey: KeyObject | undefined;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

interface KeyRow {
  kid: string;
  /**
   * A JWK object, or its encrypted text as a JSON string (see sealPrivateJwk);
   * null once the key is retired (a constraint keeps the two in step).
   */
  private_jwk: unknown;
  public_jwk: JWK;
  retired_at: Date | null;
}

async function newKeyRow(): Promise<{ kid: string; privateJwk: JWK; publicJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    crv: 'Ed25519',
    extractable: true,
  });
  const kid = randomUUID();
  return { kid, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
}

/**
 * The Ed25519 keys that sign access tokens, kept in hearth.signing_keys so
 * every node shares them. Generated on first start; never a default.
 */
export class SigningKeyRing {
  private keys = new Map<string, LoadedKey>();
  private active: LoadedKey | undefined;
  private lastReload = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly accessTokenTtlSeconds: number,
    private readonly cipher: FieldCipher,
  ) {}

  async start(): Promise<void> {
    const candidate = await newKeyRow();
    // The partial unique index lets exactly one node's first key win.
    await this.pool.query(
      `INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT DO NOTHING`,
      [
        candidate.kid,
        ACCESS_TOKEN_ALG,
        sealPrivateJwk(this.cipher, candidate.kid, candidate.privateJwk),
        candidate.publicJwk,
      ],
    );
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch(() => undefined), RELOAD_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    this.lastReload = Date.now();
    const { rows } = await this.pool.query<KeyRow>(
      `SELECT kid, private_jwk, public_jwk, retired_at FROM hearth.signing_keys
       WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
       ORDER BY created_at`,
      [retiredKeyPublishSeconds(this.accessTokenTtlSeconds)],
    );
    const keys = new Map<string, LoadedKey>();
    let active: LoadedKey | undefined;
    for (const row of rows) {
      const loaded: LoadedKey = {
        kid: row.kid,
        // Only the active key is ever opened: a retired one has no private half left.
        privateKey: row.retired_at === null ? this.privateKeyOf(row) : undefined,
        publicKey: (await importJWK(row.public_jwk, ACCESS_TOKEN_ALG)) as CryptoKey,
        publicJwk: {
          kty: row.public_jwk.kty,
          crv: row.public_jwk.crv,
          x: row.public_jwk.x,
          kid: row.kid,
          alg: ACCESS_TOKEN_ALG,
          use: 'sig',
        } as JWK,
      };
      keys.set(row.kid, loaded);
      if (row.retired_at === null) active = loaded;
    }
    if (!active) throw new Error('no active signing key in hearth.signing_keys');
    this.keys = keys;
    this.active = active;
  }

  signingKey(): { kid: string; key: KeyObject } {
    const active = this.active;
    if (!active?.privateKey) throw new Error('signing keys not loaded');
    return { kid: active.kid, key: active.privateKey };
  }

  /** The public key for a kid; an unknown kid triggers one throttled reload (another node may have rotated). */
  async publicKey(kid: string): Promise<CryptoKey | undefined> {
    const known = this.keys.get(kid);
    if (known) return known.publicKey;
    if (Date.now() - this.lastReload < UNKNOWN_KID_RELOAD_MS) return undefined;
    await this.reload();
    return this.keys.get(kid)?.publicKey;
  }

  jwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((key) => key.publicJwk) };
  }

  /**
   * Starts signing with a new key. The old one stays published until its
   * tokens have expired, but its private half is erased in the same
   * transaction: a retired key only ever verifies, so a later dump of the
   * table cannot mint tokens with it.
   */
  async rotate(): Promise<string> {
    const next = await newKeyRow();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'UPDATE hearth.signing_keys SET retired_at = now(), private_jwk = NULL WHERE retired_at IS NULL',
      );
      await client.query(
        'INSERT INTO hearth.signing_keys (kid, alg, private_jwk, public_jwk) VALUES ($1, $2, $3::jsonb, $4)',
        [next.kid, ACCESS_TOKEN_ALG, sealPrivateJwk(this.cipher, next.kid, next.privateJwk), next.publicJwk],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.reload();
    return next.kid;
  }

  /** The private key of the active row, decrypted when it is stored encrypted. */
  private privateKeyOf(row: KeyRow): KeyObject {
    if (row.private_jwk === null) throw new Error(`signing key ${row.kid} is active but has no private key`);
    const jwk = openPrivateJwk<JWK>(this.cipher, row.kid, row.private_jwk);
    return createPrivateKey({ key: jwk as JsonWebKeyInput['key'], format: 'jwk' });
  }
}
