import type { AuthChangeDetail, AuthChangeEvent, AuthChangeListener, Session } from './auth-types.js';

/** The listeners of `auth.onAuthStateChange`. A throwing listener is reported and never breaks the others. */
export class AuthEvents {
  private readonly listeners = new Set<AuthChangeListener>();

  subscribe(listener: AuthChangeListener): () => void {
    // Wrap so the same function subscribed twice gets two independent subscriptions.
    const entry: AuthChangeListener = (...args) => listener(...args);
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  emit(event: AuthChangeEvent, session: Session | null, detail: AuthChangeDetail): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, session, detail);
      } catch (error) {
        console.error('Hearth: an onAuthStateChange listener threw', error);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
