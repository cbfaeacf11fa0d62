import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { normalizeServerUrl } from '../config/credentials.js';
import { credentialsPath, removeCredentials, writeCredentials } from '../config/user-config.js';
import { withProgress } from '../output/progress.js';
import { readSecret } from '../output/prompt.js';
import { stdoutPaint } from '../output/terminal.js';
import { ApiClient } from '../remote/api-client.js';

interface LoginFlags {
  url: string;
  key?: string;
}

export function registerLogin(program: Command): void {
  program
    .command('login')
    .description('Check a server URL and service key, and save them for later commands (file mode 0600).')
    .requiredOption('--url <url>', "the server's address, e.g. https://api.example.com")
    .option('--key <key>', 'a service key (hearth_sk_…); omit it to type it hidden or pipe it on stdin')
    .addHelpText(
      'after',
      `
The credentials go to $XDG_CONFIG_HOME/hearth/credentials.json (default
~/.config/hearth/credentials.json), readable only by you. HEARTH_URL and
HEARTH_SERVICE_KEY in the environment take precedence over them (that is how CI
runs the CLI). Create a key with \`hearth keys create\` or in the dashboard.

Examples:
  $ hearth login --url http://localhost:8090
  $ echo "$HEARTH_KEY" | hearth login --url https://api.example.com
  $ hearth login --url https://api.example.com --key hearth_sk_...`,
    )
    .action(async (flags: LoginFlags) => {
      const url = normalizeServerUrl(flags.url);
      const key = (flags.key ?? (await readSecret('Service key: '))).trim();
      if (key === '')
        throw new CliError('no key given; pass --key, type it at the prompt, or pipe it on stdin');
      // Any admin-only read proves both the URL and the key.
      await withProgress(`Checking ${url}`, () =>
        new ApiClient(url, key).request('GET', '/api/admin/schema'),
      );
      await writeCredentials({ url, key, savedAt: new Date().toISOString() });
      process.stdout.write(
        `${stdoutPaint().green('Logged in')} to ${url}; credentials saved to ${credentialsPath()}\n`,
      );
    });

  program
    .command('logout')
    .description('Forget the saved server URL and service key (the key itself stays valid).')
    .addHelpText(
      'after',
      `
To make the key itself unusable, revoke it: \`hearth keys revoke <id>\`.

Examples:
  $ hearth logout`,
    )
    .action(async () => {
      const path = credentialsPath();
      const removed = await removeCredentials(path);
      process.stdout.write(removed ? `Logged out; removed ${path}\n` : 'Not logged in; nothing to remove\n');
    });
}
