import type { AuthChangeEvent, AuthState } from './auth-types.js';

/** What a session change seen from another tab means, told apart by comparing the states. */
export function inferEvent(previous: AuthState | null, next: AuthState | null): AuthChangeEvent | undefined {
  if (previous === null) return next === null ? undefined : 'SIGNED_IN';
  if (next === null) return 'SIGNED_OUT';
  if (previous.user.id !== next.user.id) return 'SIGNED_IN';
  if (previous.session.refreshToken !== next.session.refreshToken) return 'TOKEN_REFRESHED';
  if (JSON.stringify(previous.user) !== JSON.stringify(next.user)) return 'USER_UPDATED';
  return undefined;
}

export function sameState(a: AuthState, b: AuthState): boolean {
  return (
    a.session.accessToken === b.session.accessToken &&
    a.session.refreshToken === b.session.refreshToken &&
    JSON.stringify(a.user) === JSON.stringify(b.user)
  );
}
