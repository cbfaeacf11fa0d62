import { hashToken, newOpaqueToken } from '../lib/opaque-tokens.js';
import type { Db } from './users.js';

export type EmailTokenPurpose = 'verify-email' | 'reset-password' | 'change-email';

export const emailTokenLifetimeSeconds: Record<EmailTokenPurpose, number> = {
  'verify-email': 24 * 60 * 60,
  'reset-password': 60 * 60,
  'change-email': 24 * 60 * 60,
};

/** Where the links in mail point without a redirectTo: small pages of the dashboard that call the API. */
export const emailLinkPaths: Record<EmailTokenPurpose, string> = {
  'verify-email': '/_/auth/verify-email',
  'reset-password': '/_/auth/reset-password',
  'change-email': '/_/auth/confirm-email',
};

/**
 * The link in a mail. With an allowed `redirectTo` (already checked by
 * checkRedirect) it is that URL with `token` and `type` added to its query,
 * keeping its other parameters and fragment, so one app page can serve every
 * kind of link; without, it is the dashboard page.
 */
export function emailLink(
  publicUrl: string,
  purpose: EmailTokenPurpose,
  token: string,
  redirectTo: URL | null,
): string {
  if (redirectTo === null) return `${publicUrl}${emailLinkPaths[purpose]}?token=${encodeURIComponent(token)}`;
  return withQueryParameters(redirectTo, { token, type: purpose });
}

/**
 * The link in the "you already have an account" mail, which carries no
 * token: the app's redirectTo with `type=account-exists`, or the dashboard's
 * forgot-password page.
 */
export function accountExistsLink(publicUrl: string, redirectTo: URL | null): string {
  if (redirectTo === null) return `${publicUrl}/_/auth/forgot-password`;
  return withQueryParameters(redirectTo, { type: 'account-exists' });
}

/**
 * Adds parameters after the URL's own query, byte for byte as it was; a
 * parameter of the same name already there is replaced, so a redirectTo
 * cannot smuggle in a `token` or `type` of its own.
 */
function withQueryParameters(base: URL, parameters: Record<string, string>): string {
  const url = new URL(base.href);
  const names = Object.keys(parameters);
  const existing = new URLSearchParams(url.search);
  if (names.some((name) => existing.has(name))) {
    for (const name of names) existing.delete(name);
    url.search = existing.toString();
  }
  const added = new URLSearchParams(parameters).toString();
  url.search = url.search === '' ? added : `${url.search.slice(1)}&${added}`;
  return url.href;
}

export async function issueEmailToken(
  db: Db,
  userId: string,
  purpose: EmailTokenPurpose,
  email: string,
): Promise<string> {
  const token = newOpaqueToken();
  await db.query(
    `INSERT INTO hearth.email_tokens (token_hash, user_id, purpose, email, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
    [hashToken(token), userId, purpose, email, emailTokenLifetimeSeconds[purpose]],
  );
  return token;
}

/**
 * Marks a token used and returns it, or nothing when it is unknown, used or
 * expired. One UPDATE with the conditions in its WHERE clause: of many
 * concurrent uses, exactly one sees the row still unused.
 */
export async function consumeEmailToken(
  db: Db,
  token: string,
  purposes: EmailTokenPurpose[],
): Promise<{ userId: string; purpose: EmailTokenPurpose; email: string } | undefined> {
  const { rows } = await db.query<{ user_id: string; purpose: EmailTokenPurpose; email: string }>(
    `UPDATE hearth.email_tokens SET used_at = now()
     WHERE token_hash = $1 AND purpose = ANY($2) AND used_at IS NULL AND expires_at > now()
     RETURNING user_id, purpose, email`,
    [hashToken(token), purposes],
  );
  const row = rows[0];
  return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : undefined;
}
