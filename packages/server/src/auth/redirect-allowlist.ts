import { z } from 'zod';
import { HearthError } from '../errors/index.js';
import { allowedRedirect } from '../lib/redirect-urls.js';
import type { AuthDeps } from './auth-deps.js';

/** The longest redirectTo accepted; longer values are a validation error. */
export const MAX_REDIRECT_LENGTH = 2048;

/** A redirectTo field in a request: a string, checked against the allowlist by `checkRedirect`. */
export const redirectToField = z.string().max(MAX_REDIRECT_LENGTH);

/** The public URL and every prefix in HEARTH_AUTH_REDIRECT_URLS. */
export function redirectAllowlist(deps: Pick<AuthDeps, 'publicUrl' | 'config'>): string[] {
  return [deps.publicUrl(), ...deps.config.authRedirectUrls];
}

/**
 * The one check for every `redirectTo` auth accepts (OAuth sign-in and the
 * links in mail): null when absent or empty, the parsed URL when allowed, and
 * 400 auth/redirect-not-allowed otherwise. Never an open redirect: nothing
 * outside the allowlist is ever sent a user, a code or a token.
 */
export function checkRedirect(
  redirectTo: string | undefined,
  deps: Pick<AuthDeps, 'publicUrl' | 'config'>,
): URL | null {
  if (redirectTo === undefined || redirectTo === '') return null;
  const url = allowedRedirect(redirectTo, redirectAllowlist(deps));
  if (url === undefined) {
    throw new HearthError('auth/redirect-not-allowed', undefined, {
      details: {
        fields: [{ path: 'redirectTo', message: 'must be an absolute URL under HEARTH_AUTH_REDIRECT_URLS' }],
      },
    });
  }
  return url;
}
