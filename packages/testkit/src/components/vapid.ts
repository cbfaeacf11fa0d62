import { createPublicKey, verify } from 'node:crypto';

export interface VapidIdentity {
  /** The application server's public key, base64url (uncompressed P-256 point). */
  publicKey: string;
  /** The `sub` claim: a mailto: or https: contact. */
  subject: string;
  expiresAt: Date;
}

export type VapidCheck = { ok: true; identity: VapidIdentity } | { ok: false; reason: string };

/** The longest a VAPID token may live (RFC 8292 §2). */
const MAX_LIFETIME_S = 24 * 60 * 60;

/**
 * Verifies an `Authorization: vapid t=<jwt>, k=<key>` header (RFC 8292) the
 * way a push service does: ES256 signature by `k`, audience equal to the push
 * service origin, an unexpired token at most 24 h out, and a contact subject.
 */
export function verifyVapid(header: string | undefined, audience: string, now = Date.now()): VapidCheck {
  if (header === undefined) return { ok: false, reason: 'missing Authorization header' };
  const match = /^vapid\s+(.*)$/i.exec(header.trim());
  if (match === null)
    return { ok: false, reason: `Authorization scheme is not vapid: ${header.slice(0, 40)}` };
  const params = new Map<string, string>();
  for (const part of (match[1] ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const token = params.get('t');
  const key = params.get('k');
  if (token === undefined || key === undefined) return { ok: false, reason: 'vapid header lacks t= or k=' };

  const [encodedHeader, encodedPayload, encodedSignature] = token.split('.');
  if (encodedHeader === undefined || encodedPayload === undefined || encodedSignature === undefined) {
    return { ok: false, reason: 'vapid token is not a JWS' };
  }
  let jwtHeader: { alg?: unknown };
  let claims: { aud?: unknown; exp?: unknown; sub?: unknown };
  try {
    jwtHeader = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8')) as typeof jwtHeader;
    claims = JSON.parse(Buffer.from(encodedPayload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, reason: 'vapid token is not JSON' };
  }
  if (jwtHeader.alg !== 'ES256')
    return { ok: false, reason: `vapid token alg is ${String(jwtHeader.alg)}, not ES256` };

  const point = Buffer.from(key, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04)
    return { ok: false, reason: 'k is not an uncompressed P-256 point' };
  const publicKey = createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${encodedHeader}.${encodedPayload}`),
    { key: publicKey, dsaEncoding: 'ieee-p1363' },
    Buffer.from(encodedSignature, 'base64url'),
  );
  if (!signed) return { ok: false, reason: 'vapid signature does not verify with k' };

  if (claims.aud !== audience)
    return { ok: false, reason: `vapid aud is ${String(claims.aud)}, expected ${audience}` };
  const nowS = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowS)
    return { ok: false, reason: 'vapid token expired or has no exp' };
  if (claims.exp > nowS + MAX_LIFETIME_S + 60)
    return { ok: false, reason: 'vapid exp is more than 24 h ahead' };
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) {
    return { ok: false, reason: `vapid sub must be a mailto: or https: URL, got ${String(claims.sub)}` };
  }
  return {
    ok: true,
    identity: { publicKey: key, subject: claims.sub, expiresAt: new Date(claims.exp * 1000) },
  };
}
