import { fetchProtectedResource, type Configuration } from 'openid-client';
import { z } from 'zod';
import { HearthError } from '../../errors/index.js';
import { normalizeEmail } from '../users.js';
import type { ExternalIdentity } from './external-identity.js';

const githubUser = z.object({ id: z.number().int().positive() });
const githubEmails = z
  .array(
    z.object({
      email: z.email().max(254),
      primary: z.boolean(),
      verified: z.boolean(),
    }),
  )
  .max(1000);

const failed = (message: string, cause?: unknown) =>
  new HearthError('auth/oauth-failed', message, { details: { reason: 'userinfo' }, cause });

/**
 * Picks the address an identity carries: the primary verified one, else any
 * verified one, else the primary one unverified (so it cannot join an
 * existing account), else none.
 */
export function chooseGitHubEmail(emails: Array<{ email: string; primary: boolean; verified: boolean }>): {
  email: string | undefined;
  emailVerified: boolean;
} {
  const chosen =
    emails.find((entry) => entry.primary && entry.verified) ??
    emails.find((entry) => entry.verified) ??
    emails.find((entry) => entry.primary);
  return {
    email: chosen ? normalizeEmail(chosen.email) : undefined,
    emailVerified: chosen?.verified ?? false,
  };
}

/**
 * GitHub is plain OAuth2 with no ID token: the person is whoever the access
 * token reads as at GET /user, and their addresses come from GET /user/emails.
 * Any answer other than a 200 with the expected JSON stops the sign-in.
 */
export async function fetchGitHubIdentity(
  configuration: Configuration,
  apiUrl: string,
  accessToken: string,
): Promise<ExternalIdentity> {
  const get = async <T>(path: string, schema: z.ZodType<T>): Promise<T> => {
    let response: Response;
    try {
      response = await fetchProtectedResource(
        configuration,
        accessToken,
        new URL(`${apiUrl}${path}`),
        'GET',
        undefined,
        new Headers({ accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28' }),
      );
    } catch (error) {
      // A 401 with a WWW-Authenticate challenge arrives as an error rather than a response.
      const status = (error as { response?: Response }).response?.status;
      throw failed(
        status ? `GitHub answered ${status} to GET ${path}.` : `GitHub could not be reached for GET ${path}.`,
        error,
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw failed(`GitHub answered ${response.status} to GET ${path}.`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw failed(`GitHub answered GET ${path} with something other than JSON.`, error);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw failed(`GitHub answered GET ${path} with an unexpected shape.`, parsed.error);
    return parsed.data;
  };
  const user = await get('/user', githubUser);
  const emails = await get('/user/emails', githubEmails);
  return { subject: String(user.id), ...chooseGitHubEmail(emails) };
}
