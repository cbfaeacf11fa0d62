import { CliError, EXIT } from '../cli-error.js';
import { serviceKeyCredential, type Credential } from '../remote/credential.js';
import { savedSessionCredential } from './saved-session.js';
import { credentialsPath, readCredentials } from './user-config.js';

export interface ServerTarget {
  url: string;
  /** A service key, or the admin session `hearth login --email` saved. */
  credential: Credential;
  /** Where each part came from, for messages. */
  source: 'flags' | 'environment' | 'login';
}

/** `http://host:8090/` → `http://host:8090`; rejects anything that is not http(s). */
export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`"${raw}" is not a URL; give the server's address, e.g. http://localhost:8090`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(
      `"${raw}" is not an http(s) URL; give the server's address, e.g. http://localhost:8090`,
    );
  return url.toString().replace(/\/+$/, '');
}

/**
 * Which server and credential to use: `--url`, then HEARTH_URL and
 * HEARTH_SERVICE_KEY (how CI runs it), then what `hearth login` saved (a
 * service key or an admin's session). Saved credentials are only ever sent
 * to the URL they were saved for.
 */
export async function resolveServerTarget(
  flags: { url?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServerTarget> {
  const flagUrl = flags.url ? normalizeServerUrl(flags.url) : undefined;
  const envUrl = env.HEARTH_URL ? normalizeServerUrl(env.HEARTH_URL) : undefined;
  const envKey = env.HEARTH_SERVICE_KEY || undefined;
  const path = credentialsPath(env);
  const saved = await readCredentials(path);
  const savedUrl = saved ? normalizeServerUrl(saved.url) : undefined;

  const url = flagUrl ?? envUrl ?? savedUrl;
  if (!url) {
    throw new CliError(
      'no server configured: run `hearth login --url <url> --email <admin email>` (or `--key <service key>`), or set HEARTH_URL and HEARTH_SERVICE_KEY',
      EXIT.unreachable,
    );
  }
  let credential: Credential | undefined;
  if (envKey) credential = serviceKeyCredential(envKey);
  else if (saved && savedUrl === url)
    credential =
      'key' in saved
        ? serviceKeyCredential(saved.key)
        : savedSessionCredential({ url, email: saved.email, session: saved.session }, path);
  if (!credential) {
    throw new CliError(
      `no service key for ${url}: set HEARTH_SERVICE_KEY, or run \`hearth login --url ${url} --email <admin email>\``,
      EXIT.unreachable,
    );
  }
  const source = flagUrl ? 'flags' : envUrl || envKey ? 'environment' : 'login';
  return { url, credential, source };
}
