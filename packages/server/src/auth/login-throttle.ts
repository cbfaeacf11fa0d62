import { rateLimitedError as rateLimited, type AuthRateLimits } from './rate-limits.js';

/** The first trip of the account-wide backstop blocks for this long; each later trip that day doubles it. */
const FIRST_TRIP_SECONDS = 60;
const LONGEST_TRIP_SECONDS = 60 * 60;

/** How long the backstop blocks on its nth trip of the day (1-based): 1, 2, 4, … minutes, at most an hour. */
export function backstopBlockSeconds(trip: number): number {
  return Math.min(LONGEST_TRIP_SECONDS, FIRST_TRIP_SECONDS * 2 ** Math.max(0, trip - 1));
}

/**
 * Login throttling that an attacker cannot turn against the account's owner
 * (OWASP's advice against lockout as a denial of service):
 *
 * - per client (`login:ip`) and per account and client (`login:client`): a
 *   guesser is blocked where it guesses from, and the owner signing in from
 *   anywhere else is not affected;
 * - per account (`login:account`), a much higher backstop against guesses
 *   spread over many addresses. It is counted only for attempts the two
 *   limits above let through, so one client cannot trip it alone, and it
 *   blocks for a time that doubles with each trip of the day.
 *
 * Every key of an account carries how often an admin unlocked it, so an
 * unlock starts the account afresh on every node without enumerating keys.
 */
export class LoginThrottle {
  constructor(private readonly limits: AuthRateLimits) {}

  private async accountKey(email: string): Promise<string> {
    return `${await this.limits.used('login:unlocks', email)}:${email}`;
  }

  /** Counts an attempt before the password is checked; 429 with Retry-After when it may not go on. */
  async attempt(email: string, ip: string | undefined): Promise<void> {
    const account = await this.accountKey(email);
    await this.limits.consumeAll([
      ['login:ip', ip],
      ['login:client', `${account}|${ip ?? 'unknown'}`],
    ]);
    const { used, secondsLeft } = await this.limits.count('login:account', account);
    const allowance = this.limits.points('login:account');
    if (used <= allowance) return;
    if (used > allowance + 1) throw rateLimited(secondsLeft);
    // This attempt tripped the backstop: block for longer than the last trip did.
    const trip = await this.limits.count('login:account-trips', account);
    const seconds = backstopBlockSeconds(trip.used);
    await this.limits.block('login:account', account, seconds);
    throw rateLimited(seconds);
  }

  /** A successful login gives its attempt back to every limit it counted against. */
  async succeeded(email: string, ip: string | undefined): Promise<void> {
    const account = await this.accountKey(email);
    await Promise.all([
      this.limits.refund('login:ip', ip),
      this.limits.refund('login:client', `${account}|${ip ?? 'unknown'}`),
      this.limits.refund('login:account', account),
    ]);
  }

  /** An admin's unlock: every login limit of the account (from every client) starts afresh. */
  async unlock(email: string): Promise<void> {
    await this.limits.count('login:unlocks', email);
  }
}
