import { useSyncExternalStore } from 'react';
import { authViewOf, type AuthView } from './admin-access.ts';
import { hearth } from '../../hearth.ts';

// One store for the whole app, fed by the SDK: the session lives in
// localStorage (the SDK's default in browsers) and follows other tabs.
let current: AuthView = { status: 'loading' };
const listeners = new Set<() => void>();

function publish(next: AuthView): void {
  current = next;
  for (const listener of listeners) listener();
}

hearth.auth.onAuthStateChange((event, _session, detail) => {
  if (event === 'MFA_CHALLENGE') return; // nobody is signed in until the code is checked
  publish(authViewOf(event === 'SIGNED_OUT' ? null : (detail.user ?? hearth.auth.user())));
});
void hearth.auth
  .getSession()
  .catch(() => null)
  .then(() => {
    if (current.status === 'loading') publish(authViewOf(hearth.auth.user()));
  });

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Who is signed in to the dashboard, re-rendering on sign-in, sign-out and refresh. */
export function useAuthView(): AuthView {
  return useSyncExternalStore(subscribe, () => current);
}
