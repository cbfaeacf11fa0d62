import type { MfaChallenge, Session, User } from './auth-types.js';
import { HearthError } from './hearth-error.js';
import { numericClaim } from './jwt-claims.js';

/** Reads the server's answers to /api/auth calls, failing with client/invalid-response on a shape we cannot use. */

export function invalidAnswer(what: string, status = 200): HearthError {
  return new HearthError('client/invalid-response', `The server's answer has no valid ${what}.`, status);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function sessionFromServer(raw: unknown): Session {
  if (!isObject(raw)) throw invalidAnswer('session');
  const { accessToken, refreshToken } = raw;
  if (
    typeof accessToken !== 'string' ||
    accessToken === '' ||
    typeof refreshToken !== 'string' ||
    refreshToken === ''
  ) {
    throw invalidAnswer('session');
  }
  return { accessToken, refreshToken, expiresAt: expiresAtOf(raw, accessToken), tokenType: 'Bearer' };
}

/** `expiresAt` (epoch seconds), else the JWT's `exp`, else `expiresIn` from now. */
function expiresAtOf(raw: Record<string, unknown>, accessToken: string): number {
  const { expiresAt, expiresIn } = raw;
  if (typeof expiresAt === 'number' && Number.isFinite(expiresAt)) {
    // Tolerate a server that sends milliseconds.
    return expiresAt > 1e11 ? Math.floor(expiresAt / 1000) : expiresAt;
  }
  if (typeof expiresAt === 'string' && !Number.isNaN(Date.parse(expiresAt))) {
    return Math.floor(Date.parse(expiresAt) / 1000);
  }
  const exp = numericClaim(accessToken, 'exp');
  if (exp !== undefined) return exp;
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn))
    return Math.floor(Date.now() / 1000) + expiresIn;
  throw invalidAnswer('session expiry (expiresAt)');
}

/**
 * The tokens handed to `auth.setSession`, checked for shape only (the server
 * checks them for real): two non-empty strings and an expiry, given or read
 * from the access token's `exp`. Anything else is client/invalid-session.
 */
export function sessionFromParams(params: unknown): Session {
  const invalidSession = (message: string) => new HearthError('client/invalid-session', message, 0);
  const raw = isObject(params) ? params : {};
  const { accessToken, refreshToken, expiresAt } = raw;
  if (typeof accessToken !== 'string' || accessToken === '')
    throw invalidSession('setSession needs an accessToken string.');
  if (typeof refreshToken !== 'string' || refreshToken === '')
    throw invalidSession('setSession needs a refreshToken string.');
  if (
    expiresAt !== undefined &&
    (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt) || expiresAt <= 0)
  )
    throw invalidSession('expiresAt must be the expiry in epoch seconds.');
  const expiry = expiresAt ?? numericClaim(accessToken, 'exp');
  if (expiry === undefined) throw invalidSession('The access token carries no expiry (exp); pass expiresAt.');
  // Tolerate milliseconds, as for the server's answers.
  const seconds = expiry > 1e11 ? Math.floor(expiry / 1000) : expiry;
  return { accessToken, refreshToken, expiresAt: seconds, tokenType: 'Bearer' };
}

export function userFromServer(raw: unknown): User {
  if (!isObject(raw) || typeof raw['id'] !== 'string') throw invalidAnswer('user');
  return raw as User;
}

/** `{user}` or the user itself (GET/PATCH me). */
export function userFromBody(body: unknown): User {
  if (isObject(body) && isObject(body['user'])) return userFromServer(body['user']);
  return userFromServer(body);
}

export function mfaChallengeFrom(raw: unknown): MfaChallenge | undefined {
  if (!isObject(raw) || typeof raw['ticket'] !== 'string') return undefined;
  const methods = Array.isArray(raw['methods'])
    ? raw['methods'].filter((m): m is string => typeof m === 'string')
    : [];
  return { ticket: raw['ticket'], methods };
}

/** `{user, session}` with a required session. */
export function signedInFrom(body: unknown): { user: User; session: Session } {
  if (!isObject(body)) throw invalidAnswer('sign-in result');
  return { user: userFromServer(body['user']), session: sessionFromServer(body['session']) };
}

export function isObjectBody(value: unknown): value is Record<string, unknown> {
  return isObject(value);
}

/** `{items: [...]}` (or a bare array) from a list endpoint. */
export function itemsFrom<T>(body: unknown, what: string): T[] {
  const items = Array.isArray(body) ? body : isObject(body) ? body['items'] : undefined;
  if (!Array.isArray(items)) throw invalidAnswer(what);
  return items as T[];
}
