import type { AuthState, Session, User } from './auth-types.js';
import type { SessionStorage } from './session-storage.js';

const FORMAT_VERSION = 1;

/** Reads and writes the auth state under one storage key, as versioned JSON. */
export class SessionStore {
  constructor(
    readonly storage: SessionStorage,
    readonly key: string,
  ) {}

  /** The stored state, or null when there is none or it cannot be read (never throws). */
  async load(): Promise<AuthState | null> {
    try {
      return parseStoredState(await this.storage.getItem(this.key));
    } catch {
      return null;
    }
  }

  async save(state: AuthState): Promise<void> {
    await this.storage.setItem(this.key, serializeState(state));
  }

  async clear(): Promise<void> {
    await this.storage.removeItem(this.key);
  }
}

export function serializeState(state: AuthState): string {
  return JSON.stringify({ version: FORMAT_VERSION, session: state.session, user: state.user });
}

/** Parses what `serializeState` wrote; anything else (old formats, tampering, garbage) reads as signed out. */
export function parseStoredState(raw: string | null | undefined): AuthState | null {
  if (raw === null || raw === undefined || raw === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { version, session, user } = parsed as { version?: unknown; session?: unknown; user?: unknown };
  if (version !== FORMAT_VERSION || !isSession(session) || !isUser(user)) return null;
  return { session, user };
}

function isSession(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return (
    typeof s['accessToken'] === 'string' &&
    typeof s['refreshToken'] === 'string' &&
    typeof s['expiresAt'] === 'number' &&
    s['tokenType'] === 'Bearer'
  );
}

function isUser(value: unknown): value is User {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}
