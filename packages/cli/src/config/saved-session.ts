import { open, rm, stat } from 'node:fs/promises';
import { CliError, EXIT } from '../cli-error.js';
import { ApiClient, ApiError } from '../remote/api-client.js';
import type { Credential } from '../remote/credential.js';
import { readCredentials, writeCredentials, type StoredSession } from './user-config.js';

/** Refresh this long before the access token expires, so a request never leaves with a dying token. */
const REFRESH_MARGIN_SECONDS = 30;
const LOCK_WAIT_MS = 10_000;
/** A lock older than this was left by a run that died mid-refresh. */
const STALE_LOCK_MS = 30_000;

export interface SavedAdminSession {
  url: string;
  email: string;
  session: StoredSession;
}

/**
 * The admin session `hearth login --email` saved, as a credential. Its access
 * token is refreshed (and the file rewritten) when it is about to expire or
 * the server says it has. The server rotates refresh tokens and treats a
 * reused one as theft, so two runs must not refresh at once: refreshing holds
 * a lock file beside the credentials, and a run that waited for it takes the
 * session the other one saved.
 */
export function savedSessionCredential(saved: SavedAdminSession, path: string): Credential {
  let session = saved.session;
  const relogin = `run \`hearth login --url ${saved.url} --email ${saved.email}\` again`;

  async function refresh(rejected: string | undefined): Promise<void> {
    await withLock(`${path}.lock`, async () => {
      const current = await readCredentials(path);
      if (
        current &&
        'session' in current &&
        current.url === saved.url &&
        current.session.refreshToken !== session.refreshToken &&
        current.session.accessToken !== rejected
      ) {
        session = current.session;
        return;
      }
      let answer: { session: StoredSession };
      try {
        answer = await new ApiClient(saved.url, undefined).request('POST', '/api/auth/refresh', {
          body: { refreshToken: session.refreshToken },
          anonymous: true,
        });
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400))
          throw new CliError(
            `the saved session of ${saved.email} at ${saved.url} has ended (${error.code}); ${relogin}`,
            EXIT.unreachable,
          );
        throw error;
      }
      session = answer.session;
      await writeCredentials(
        { url: saved.url, email: saved.email, session, savedAt: new Date().toISOString() },
        path,
      );
    });
  }

  return {
    description: `saved session of ${saved.email}`,
    fix: relogin,
    async authorization() {
      if (session.expiresAt - REFRESH_MARGIN_SECONDS <= Date.now() / 1000) await refresh(undefined);
      return `Bearer ${session.accessToken}`;
    },
    async renew() {
      await refresh(session.accessToken);
      return true;
    },
  };
}

async function withLock(lockPath: string, work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockPath).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lockPath, { force: true });
      else if (Date.now() > deadline)
        throw new CliError(`another hearth command is refreshing the saved session (${lockPath}); try again`);
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    await work();
  } finally {
    await rm(lockPath, { force: true });
  }
}
