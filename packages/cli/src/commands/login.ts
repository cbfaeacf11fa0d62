import type { Command } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { normalizeServerUrl } from '../config/credentials.js';
import {
  credentialsPath,
  readCredentials,
  removeCredentials,
  writeCredentials,
  type StoredSession,
} from '../config/user-config.js';
import { withProgress } from '../output/progress.js';
import { readSecret } from '../output/prompt.js';
import { stdoutPaint } from '../output/terminal.js';
import { ApiClient, ApiError } from '../remote/api-client.js';

interface LoginFlags {
  url: string;
  key?: string;
  email?: string;
  mfaCode?: string;
}

interface SignedIn {
  user: { id: string; email: string | null; role: string };
  session: StoredSession;
}

type LoginAnswer = SignedIn | { mfa: { ticket: string; methods: string[] } };

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description(
      'Sign in as an admin (email and password) or check a service key, and save it for later commands (file mode 0600).',
    )
    .requiredOption('--url <url>', "the server's address, e.g. https://api.example.com")
    .option('--email <email>', 'sign in as this admin; the password is typed hidden or piped on stdin')
    .option('--mfa-code <code>', 'with --email: the authenticator or recovery code (HEARTH_MFA_CODE)')
    .option('--key <key>', 'a service key (hearth_sk_…); omit it to type it hidden or pipe it on stdin')
    .addHelpText(
      'after',
      `
With --email the CLI signs in as that admin, like \`supabase login\`, and keeps the
session: it refreshes itself, so \`hearth keys create\` and every other command
work without a service key. An account with two-step verification asks for its
code at a terminal; elsewhere pass --mfa-code or HEARTH_MFA_CODE. Without --email
it checks and saves a service key.

The credentials go to $XDG_CONFIG_HOME/hearth/credentials.json (default
~/.config/hearth/credentials.json), readable only by you. HEARTH_URL and
HEARTH_SERVICE_KEY in the environment take precedence over them (that is how CI
runs the CLI). Create a key with \`hearth keys create\` or on the dashboard's Keys page.

Examples:
  $ hearth login --url http://localhost:8090 --email ops@example.com
  $ printf '%s' "$ADMIN_PASSWORD" | hearth login --url https://api.example.com --email ops@example.com --mfa-code 123456
  $ echo "$HEARTH_KEY" | hearth login --url https://api.example.com
  $ hearth login --url https://api.example.com --key hearth_sk_...`,
    )
    .action(async (flags: LoginFlags) => {
      const url = normalizeServerUrl(flags.url);
      if (flags.email !== undefined) {
        if (flags.key !== undefined) throw new CliError('give --email or --key, not both');
        const signedIn = await signInAsAdmin(url, flags.email, flags.mfaCode ?? process.env.HEARTH_MFA_CODE);
        const email = signedIn.user.email ?? flags.email;
        await writeCredentials({ url, email, session: signedIn.session, savedAt: new Date().toISOString() });
        process.stdout.write(
          `${stdoutPaint().green('Logged in')} to ${url} as ${email}; session saved to ${credentialsPath()}\n`,
        );
        return;
      }
      const key = (flags.key ?? (await readSecret('Service key: '))).trim();
      if (key === '')
        throw new CliError(
          'no key given; pass --key (or --email to sign in as an admin), type it at the prompt, or pipe it on stdin',
        );
      // Any admin-only read proves both the URL and the key.
      await withProgress(`Checking ${url}`, () => new ApiClient(url, key).admin.schema.get());
      await writeCredentials({ url, key, savedAt: new Date().toISOString() });
      process.stdout.write(
        `${stdoutPaint().green('Logged in')} to ${url}; credentials saved to ${credentialsPath()}\n`,
      );
    });

  program
    .command('logout')
    .description('Forget the saved login; a saved admin session is also ended on the server.')
    .addHelpText(
      'after',
      `
A saved service key stays valid; to make it unusable, revoke it: \`hearth keys revoke <id>\`.

Examples:
  $ hearth logout`,
    )
    .action(async () => {
      const path = credentialsPath();
      const saved = await readCredentials(path).catch(() => null);
      if (saved && 'session' in saved) {
        // Best effort: the file goes either way, and an unreachable server must not keep it.
        await new ApiClient(normalizeServerUrl(saved.url), undefined)
          .request('POST', '/api/auth/logout', {
            body: { refreshToken: saved.session.refreshToken },
            anonymous: true,
          })
          .catch(() => undefined);
      }
      const removed = await removeCredentials(path);
      process.stdout.write(removed ? `Logged out; removed ${path}\n` : 'Not logged in; nothing to remove\n');
    });
}

/** POST /api/auth/login, then the MFA step when the account has one; only an admin's session is kept. */
async function signInAsAdmin(url: string, email: string, mfaCode: string | undefined): Promise<SignedIn> {
  const password = await readSecret('Password: ');
  if (password === '') throw new CliError('no password given; type it at the prompt or pipe it on stdin');
  const client = new ApiClient(url, undefined);
  const refused = (error: unknown): never => {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'auth/invalid-credentials')
      throw new CliError(`wrong email or password for ${url}`, EXIT.unreachable);
    if (error.code === 'auth/invalid-mfa-code')
      throw new CliError(
        'wrong authentication code; use a current one, or a recovery code',
        EXIT.unreachable,
      );
    throw new CliError(
      `${error.serverMessage} (${error.code})`,
      error.status === 429 ? EXIT.unreachable : EXIT.failure,
    );
  };

  let answer: LoginAnswer;
  try {
    answer = await withProgress(`Signing in to ${url}`, () =>
      client.request<LoginAnswer>('POST', '/api/auth/login', { body: { email, password }, anonymous: true }),
    );
  } catch (error) {
    return refused(error);
  }
  if ('mfa' in answer) {
    const code = (mfaCode ?? (await askForCode())).trim();
    try {
      answer = await withProgress('Checking the code', () =>
        client.request<SignedIn>('POST', '/api/auth/mfa/verify', {
          body: { ticket: (answer as { mfa: { ticket: string } }).mfa.ticket, code },
          anonymous: true,
        }),
      );
    } catch (error) {
      return refused(error);
    }
  }
  const signedIn = answer as SignedIn;
  if (signedIn.user.role !== 'admin') {
    await client
      .request('POST', '/api/auth/logout', {
        body: { refreshToken: signedIn.session.refreshToken },
        anonymous: true,
      })
      .catch(() => undefined);
    throw new CliError(
      `${email} is not an admin; the CLI's server commands need an admin account or a service key`,
      EXIT.unreachable,
    );
  }
  return signedIn;
}

async function askForCode(): Promise<string> {
  if (process.stdin.isTTY !== true)
    throw new CliError(
      'this account has two-step verification: pass --mfa-code <code> or set HEARTH_MFA_CODE',
      EXIT.unreachable,
    );
  const code = await readSecret('Authentication code (or a recovery code): ');
  if (code.trim() === '') throw new CliError('no code given', EXIT.unreachable);
  return code;
}
