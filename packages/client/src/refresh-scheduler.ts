import { HearthError } from './hearth-error.js';
import type { Session } from './auth-types.js';
import { numericClaim } from './jwt-claims.js';

// setTimeout fires at once for delays above 2^31-1 ms, so longer waits are re-armed in steps.
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/** One pending timer that runs `task` at a given time; re-scheduling replaces it. */
export class RefreshScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly task: () => void) {}

  /** Runs the task at `epochMs` (at once if that is past). */
  scheduleAt(epochMs: number): void {
    this.cancel();
    const delay = Math.max(0, epochMs - Date.now());
    const step = Math.min(delay, MAX_TIMER_DELAY_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (step < delay) this.scheduleAt(epochMs);
      else this.task();
    }, step);
    // In Node a pending refresh must not keep the process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  scheduleIn(delayMs: number): void {
    this.scheduleAt(Date.now() + delayMs);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }
}

/**
 * When a session should be refreshed (epoch ms): `marginSeconds` before the
 * access token expires, but never earlier than half its lifetime, so a
 * short-lived token is not refreshed again the moment it arrives.
 */
export function refreshDueAt(session: Session, marginSeconds: number): number {
  const issuedAt = numericClaim(session.accessToken, 'iat');
  let margin = marginSeconds;
  if (issuedAt !== undefined && session.expiresAt > issuedAt) {
    margin = Math.min(margin, (session.expiresAt - issuedAt) / 2);
  }
  return (session.expiresAt - margin) * 1000;
}

/** Whether the access token has expired (with a small allowance for a request in flight). */
export function isExpired(session: Session, now = Date.now()): boolean {
  return now >= session.expiresAt * 1000 - 1000;
}

/** Delay before the n-th retry of a failed refresh: 1 s, 2 s, 4 s … capped at 60 s, with jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(60_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * A refresh the server refused for good (reused, revoked, expired or unknown
 * token) as opposed to one that may work later (network, 429, 5xx).
 */
export function isRejectedRefresh(error: unknown): boolean {
  if (!(error instanceof HearthError)) return false;
  const { status, code } = error;
  if (status === 400 || status === 401 || status === 403) return true;
  return status >= 400 && status < 500 && status !== 408 && status !== 429 && code.startsWith('auth/');
}
