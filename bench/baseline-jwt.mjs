// The bearer check an honest hand-written server must do before an owner-only
// rule: Ed25519 (alg EdDSA, the algorithm Hearth signs with) verified with
// node:crypto on every request, the header and claims pinned the way Hearth
// pins them (typ at+jwt, iss, aud, exp). The public keys come from Hearth's
// JWKS, fetched once and again for an unknown kid.
//
// HEARTH_BENCH_BASELINE_TOKEN_CACHE=1 makes the baseline remember verified
// tokens until they expire, as Hearth does (src/auth/access-tokens.ts): a
// stricter baseline, for seeing what Hearth costs beyond that one saving.
import { createPublicKey, verify } from 'node:crypto';

const ISSUER = process.env.BENCH_TOKEN_ISSUER ?? 'hearth';
const AUDIENCE = 'hearth';
const BEARER = /^Bearer ([A-Za-z0-9._-]+)$/;

const CACHE = process.env.HEARTH_BENCH_BASELINE_TOKEN_CACHE === '1' ? new Map() : undefined;

export class Unauthorized extends Error {}

export function bearerVerifier(jwksUrl) {
  let keys = new Map();
  async function load() {
    const response = await fetch(jwksUrl);
    const { keys: jwks } = await response.json();
    keys = new Map(jwks.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
  }
  const ready = load();

  /** The verified claims of the request's bearer token; throws Unauthorized. */
  return async function verifyBearer(authorization) {
    const token = BEARER.exec(authorization ?? '')?.[1];
    if (!token) throw new Unauthorized('no bearer token');
    const cached = CACHE?.get(token);
    if (cached && cached.exp > Date.now() / 1000) return cached;
    const [head, body, signature, extra] = token.split('.');
    if (!head || !body || !signature || extra !== undefined) throw new Unauthorized('malformed token');
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(head, 'base64url').toString());
      claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    } catch {
      throw new Unauthorized('malformed token');
    }
    if (header.alg !== 'EdDSA' || header.typ !== 'at+jwt') throw new Unauthorized('wrong token type');
    await ready;
    if (!keys.has(header.kid)) await load();
    const key = keys.get(header.kid);
    if (!key) throw new Unauthorized('unknown key');
    if (!verify(null, Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) {
      throw new Unauthorized('bad signature');
    }
    if (claims.iss !== ISSUER || claims.aud !== AUDIENCE || typeof claims.sub !== 'string') {
      throw new Unauthorized('foreign token');
    }
    if (typeof claims.exp !== 'number' || claims.exp <= Date.now() / 1000) throw new Unauthorized('expired');
    if (CACHE) {
      if (CACHE.size >= 10_000) CACHE.delete(CACHE.keys().next().value);
      CACHE.set(token, claims);
    }
    return claims;
  };
}
