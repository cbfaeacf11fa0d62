import { HearthError } from '../errors/index.js';
import type { UserPrincipal } from './principal.js';
import type { SessionService } from './sessions.js';

/** Email, password and MFA changes need credentials presented this recently. */
export const RECENT_AUTH_SECONDS = 600;

export async function requireRecentAuth(sessions: SessionService, principal: UserPrincipal): Promise<void> {
  // An anonymous user has no credentials to present again.
  if (principal.user.anonymous) return;
  const authTime = await sessions.authTime(principal.sessionId);
  if (!authTime || Date.now() - authTime.getTime() > RECENT_AUTH_SECONDS * 1000) {
    throw new HearthError('auth/recent-auth-required');
  }
}
