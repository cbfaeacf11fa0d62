import type { KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';

export interface AppleSigningKey {
  /** The Apple Developer team id: the JWT's `iss`. */
  teamId: string;
  /** The id of the Sign in with Apple key: the JWT header's `kid`. */
  keyId: string;
  /** The .p8 key, EC P-256. */
  privateKey: KeyObject;
}

/** Short, so a leaked secret is soon useless; Apple accepts up to six months. */
const LIFETIME_SECONDS = 300;
/** Re-minted this long before expiry, so a slow token request never carries an expired secret. */
const RENEW_BEFORE_SECONDS = 60;

/**
 * Apple's client secret is not a fixed string but an ES256 JWT signed with
 * the developer's key (iss = team id, sub = client id, aud = Apple's issuer).
 * Hearth mints it itself, keeps it for a few minutes, and mints a new one
 * before it runs out, so nobody has to renew a six-month secret by hand.
 */
export class AppleClientSecret {
  private cached: { jwt: string; expiresAt: number } | undefined;

  constructor(
    private readonly key: AppleSigningKey,
    private readonly clientId: string,
    /** Apple's issuer, https://appleid.apple.com (a local stand-in's in tests). */
    private readonly audience: string,
    private readonly nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  async current(): Promise<string> {
    const now = this.nowSeconds();
    if (this.cached && this.cached.expiresAt - RENEW_BEFORE_SECONDS > now) return this.cached.jwt;
    const expiresAt = now + LIFETIME_SECONDS;
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.key.keyId })
      .setIssuer(this.key.teamId)
      .setSubject(this.clientId)
      .setAudience(this.audience)
      .setIssuedAt(now)
      .setExpirationTime(expiresAt)
      .sign(this.key.privateKey);
    this.cached = { jwt, expiresAt };
    return jwt;
  }
}
