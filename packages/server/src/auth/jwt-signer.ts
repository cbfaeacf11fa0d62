import { sign, type KeyObject } from 'node:crypto';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Compact JWS with Ed25519 (alg EdDSA), signed synchronously on the event
 * loop (~0.1 ms). jose 6 signs through WebCrypto, whose job runs on libuv's
 * thread pool: during a login burst that pool is full of argon2 hashes, so
 * every token waited behind them. Ed25519 is deterministic, so this produces
 * the same bytes as jose's SignJWT (jwt-signer.test.ts checks it); tokens are
 * still verified by jose, with the algorithm pinned.
 */
export function signEdDsaJwt(
  header: { kid: string; typ: string },
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const signingInput = `${encode({ alg: 'EdDSA', ...header })}.${encode(payload)}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), key).toString('base64url')}`;
}
