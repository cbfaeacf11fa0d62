import { InvalidArgumentError, Option, type Command } from 'commander';
import { SERVICE_KEY_SCOPES } from '@hearth/server';
import { CliError } from '../cli-error.js';
import { formatTable, printJson } from '../output/print.js';
import { withProgress } from '../output/progress.js';
import { stderrPaint } from '../output/terminal.js';
import { ApiError } from '../remote/api-client.js';
import { remoteClient, withUrlOption, type RemoteFlags } from '../remote/remote-flags.js';

interface JsonFlags extends RemoteFlags {
  json?: boolean;
}

interface CreateFlags extends JsonFlags {
  scope: string[];
}

const SCOPES: readonly string[] = SERVICE_KEY_SCOPES;

export function registerKeys(program: Command): void {
  const keys = program
    .command('keys')
    .description('Manage service keys: admin rights for CI and servers, stored hashed, shown once.');

  withUrlOption(
    keys
      .command('create')
      .description('Create a service key and print it once.')
      .argument('<name>', 'what the key is for, e.g. "github-actions"'),
  )
    .addOption(
      new Option('--scope <scope>', 'grant more than the admin API (repeatable): mail:read reads mail bodies')
        .argParser((value: string, previous: string[] = []) => {
          if (!SCOPES.includes(value))
            throw new InvalidArgumentError(`Allowed choices are ${SCOPES.join(', ')}.`);
          return [...previous, value];
        })
        .default([]),
    )
    .option('--json', 'print the key and its id as JSON')
    .addHelpText(
      'after',
      `
A key acts as an admin, but reads no mail bodies in the outbox (which, without
SMTP, hold live sign-in links) unless created with --scope mail:read.

The key alone goes to stdout (the message to stderr), so it can be captured:
  KEY=$(hearth keys create ci)
It is never shown again; revoke it with \`hearth keys revoke <id>\`.

Examples:
  $ hearth keys create github-actions
  $ hearth keys create deploy --json
  $ hearth keys create mail-checker --scope mail:read`,
    )
    .action(async (name: string, flags: CreateFlags) => {
      const client = await remoteClient(flags);
      const created = await withProgress('Creating the key', () =>
        client.admin.keys.create({ name, ...(flags.scope.length > 0 ? { scopes: flags.scope } : {}) }),
      );
      if (flags.json) {
        printJson(created);
        return;
      }
      process.stderr.write(
        `${stderrPaint().green('Created')} service key "${created.name}" (${created.id}). Copy it now; it is not shown again:\n`,
      );
      process.stdout.write(`${created.key}\n`);
    });

  withUrlOption(keys.command('list').description('List the service keys that are not revoked.'))
    .option('--json', 'print the keys as JSON')
    .addHelpText(
      'after',
      `
Shows each key's id, name, visible prefix, and when it was created and last used.

Examples:
  $ hearth keys list
  $ hearth keys list --json | jq -r '.items[].id'`,
    )
    .action(async (flags: JsonFlags) => {
      const client = await remoteClient(flags);
      const items = await withProgress('Listing keys', () => client.admin.keys.list());
      if (flags.json) {
        printJson({ items });
        return;
      }
      if (items.length === 0) {
        process.stdout.write('No service keys. Create one with `hearth keys create <name>`.\n');
        return;
      }
      process.stdout.write(
        `${formatTable(
          ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED'],
          items.map((k) => [
            k.id,
            k.scopes.length > 0 ? `${k.name} (${k.scopes.join(', ')})` : k.name,
            `${k.prefix}…`,
            k.createdAt,
            k.lastUsedAt ?? 'never',
          ]),
        )}\n`,
      );
    });

  withUrlOption(
    keys
      .command('revoke')
      .description('Revoke a service key: it stops working at once.')
      .argument('<id>', 'the key id (from `hearth keys list`)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ hearth keys revoke 0b9c6a8e-4f0e-4d7a-9f4a-1d2c3b4a5e6f`,
    )
    .action(async (id: string, flags: RemoteFlags) => {
      const client = await remoteClient(flags);
      try {
        await withProgress('Revoking the key', () => client.admin.keys.revoke(id));
      } catch (error) {
        if (error instanceof ApiError && error.code === 'admin/not-found')
          throw new CliError(`no service key has the id ${id}; see \`hearth keys list\``);
        throw error;
      }
      process.stdout.write(`Revoked service key ${id}\n`);
    });
}
