import { errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { HearthError } from '../errors/index.js';
import { signEdDsaJwt } from './jwt-signer.js';
import { ACCESS_TOKEN_ALG, type SigningKeyRing } from './signing-keys.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const ACCESS_TOKEN_AUDIENCE = 'hearth';
/** How many verified tokens AccessTokens remembers (about 1 kB each); past that, the least recently used goes. */
export const VERIFIED_CACHE_SIZE = 10_000;
/** `sub` and `sid` name rows by their uuid; anything else is no token of ours, not a database error. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  role: string;
  /** Seconds since the epoch when the user last presented credentials. */
  authTime: number;
  methods: string[];
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface VerifiedAccessToken {
  userId: string;
  sessionId: string;
  expiresAt: number;
}

/**
 * Access tokens: EdDSA-signed JWTs with kid, typ at+jwt, iss and aud.
 * Verification pins every one of them, so alg:none, HS256 with the public
 * key, a foreign issuer or a token of another type never pass.
 */
export class AccessTokens {
  /**
   * Tokens already verified, by their exact text, least recently used first:
   * the same bytes verify the same way until `exp`, and an Ed25519 check
   * costs 0.1 to 0.2 ms per request. Only the signature and the claims are
   * remembered; whether the session still stands is asked on every request
   * (PrincipalResolver, through AuthStatusCache), so a revoked session is
   * refused at once however recently its token was verified.
   */
  private readonly verified = new Map<string, VerifiedAccessToken>();

  constructor(
    private readonly keys: SigningKeyRing,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
    private readonly cacheSize = VERIFIED_CACHE_SIZE,
  ) {}

  issue(claims: AccessTokenClaims): IssuedAccessToken {
    const { kid, key } = this.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + this.ttlSeconds;
    // Claim order matches jose's SignJWT, so the bytes are the same as it would sign.
    const token = signEdDsaJwt(
      { kid, typ: ACCESS_TOKEN_TYPE },
      {
        sid: claims.sessionId,
        role: claims.role,
        auth_time: claims.authTime,
        amr: claims.methods,
        iss: this.issuer,
        aud: ACCESS_TOKEN_AUDIENCE,
        sub: claims.userId,
        iat: now,
        exp: expiresAt,
      },
      key,
    );
    return { token, expiresAt };
  }

  async verify(token: string): Promise<VerifiedAccessToken> {
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      // Past `exp` it is verified afresh, so it fails as expired exactly as an unknown token would.
      if (known.expiresAt > Date.now() / 1000) {
        this.verified.set(token, known);
        return known;
      }
    }
    const result = await this.verifySignature(token);
    if (this.verified.size >= this.cacheSize) {
      this.verified.delete(this.verified.keys().next().value as string);
    }
    this.verified.set(token, result);
    return result;
  }

  /** Whether a token's verification is remembered (for tests and diagnostics). */
  isRemembered(token: string): boolean {
    return this.verified.has(token);
  }

  private async verifySignature(token: string): Promise<VerifiedAccessToken> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header: JWTHeaderParameters) => {
          const key = typeof header.kid === 'string' ? await this.keys.publicKey(header.kid) : undefined;
          if (!key) throw new HearthError('auth/invalid-token', 'The token was signed with an unknown key.');
          return key;
        },
        {
          algorithms: [ACCESS_TOKEN_ALG],
          issuer: this.issuer,
          audience: ACCESS_TOKEN_AUDIENCE,
          typ: ACCESS_TOKEN_TYPE,
          requiredClaims: ['sub', 'sid', 'exp', 'iat'],
          clockTolerance: 5,
        },
      );
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.sid !== 'string' ||
        typeof payload.exp !== 'number' ||
        !UUID.test(payload.sub) ||
        !UUID.test(payload.sid)
      ) {
        throw new HearthError('auth/invalid-token');
      }
      return { userId: payload.sub, sessionId: payload.sid, expiresAt: payload.exp };
    } catch (error) {
      if (error instanceof HearthError) throw error;
      if (error instanceof errors.JWTExpired) throw new HearthError('auth/token-expired');
      throw new HearthError('auth/invalid-token');
    }
  }
}
