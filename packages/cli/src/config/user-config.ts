import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CliError } from '../cli-error.js';

/**
 * The credentials `hearth login` saves, in a file only the user can read: one
 * server URL with either a service key or an admin's session (from email and
 * password; it is refreshed in place as its access token expires). The path
 * never comes from a HEARTH_ variable, because the server rejects HEARTH_
 * variables it does not know.
 */
const storedKey = z.object({
  url: z.url(),
  key: z.string().min(1),
  savedAt: z.string().optional(),
});
export const storedSession = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** When the access token expires, in epoch seconds (as the server's session says). */
  expiresAt: z.number(),
});
const storedAdminSession = z.object({
  url: z.url(),
  email: z.string(),
  session: storedSession,
  savedAt: z.string().optional(),
});
const storedCredentials = z.union([storedKey, storedAdminSession]);
export type StoredCredentials = z.infer<typeof storedCredentials>;
export type StoredSession = z.infer<typeof storedSession>;

export function credentialsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base =
    env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config');
  return join(base, 'hearth', 'credentials.json');
}

export async function readCredentials(path = credentialsPath()): Promise<StoredCredentials | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const { mode } = await stat(path);
  if ((mode & 0o077) !== 0) {
    throw new CliError(
      `${path} is readable by other users; run \`chmod 600 ${path}\` or \`hearth login\` again`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not valid JSON; run \`hearth logout\` and \`hearth login\` again`);
  }
  const result = storedCredentials.safeParse(parsed);
  if (!result.success)
    throw new CliError(`${path} is not a credentials file; run \`hearth logout\` and \`hearth login\` again`);
  return result.data;
}

/** Writes the file with mode 0600 (its directory 0700), replacing any earlier login. */
export async function writeCredentials(
  credentials: StoredCredentials,
  path = credentialsPath(),
): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of an existing file.
  await chmod(path, 0o600);
}

/** Removes the saved credentials; false when there were none. */
export async function removeCredentials(path = credentialsPath()): Promise<boolean> {
  try {
    await stat(path);
  } catch {
    return false;
  }
  await rm(path, { force: true });
  return true;
}
