import { HearthError } from '../errors/index.js';

/** What every domain may know about a signed-in user. */
export interface AuthUser {
  id: string;
  email: string | null;
  role: 'user' | 'admin';
  emailVerified: boolean;
  anonymous: boolean;
}

export type AnonymousPrincipal = { kind: 'anonymous' };
export type UserPrincipal = { kind: 'user'; user: AuthUser; sessionId: string };
/** A service key; `scopes` are the grants beyond the admin API it was created with (see SERVICE_KEY_SCOPES). */
export type ServicePrincipal = { kind: 'service'; keyId: string; name: string; scopes: readonly string[] };

/** Who is calling: resolved for every request by the dispatcher (src/http/dispatcher.ts). */
export type Principal = AnonymousPrincipal | UserPrincipal | ServicePrincipal;

export const anonymous: AnonymousPrincipal = Object.freeze({ kind: 'anonymous' });

/** A signed-in user (anonymous users included); 401 when signed out, 403 for a service key. */
export function requireUser(principal: Principal | undefined): UserPrincipal {
  if (principal?.kind === 'user') return principal;
  if (principal?.kind === 'service') {
    throw new HearthError(
      'auth/forbidden',
      'This route acts for a signed-in user; a service key cannot use it.',
    );
  }
  throw new HearthError('auth/unauthenticated');
}

/** An admin user or a service key; 401 when signed out, 403 for anyone else. */
export function requireAdmin(principal: Principal | undefined): UserPrincipal | ServicePrincipal {
  if (principal?.kind === 'service') return principal;
  if (principal?.kind === 'user') {
    if (principal.user.role === 'admin') return principal;
    throw new HearthError('auth/forbidden', 'This needs an admin user or a service key.');
  }
  throw new HearthError('auth/unauthenticated');
}

export function isAdmin(principal: Principal | undefined): boolean {
  return principal?.kind === 'service' || (principal?.kind === 'user' && principal.user.role === 'admin');
}
