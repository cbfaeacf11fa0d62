import type { User } from '@hearth/client';

/** Where the dashboard stands with whoever is signed in. */
export type AuthView =
  { status: 'loading' } | { status: 'signed-out' } | { status: 'signed-in'; user: User; isAdmin: boolean };

export function authViewOf(user: User | null): AuthView {
  if (user === null) return { status: 'signed-out' };
  return { status: 'signed-in', user, isAdmin: user.role === 'admin' };
}

/** A name for the signed-in user in the header: the email, or the id for an account without one. */
export function displayName(user: User): string {
  return user.email ?? `user ${user.id}`;
}
