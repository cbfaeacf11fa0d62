import type { User } from '@hearth/client';
import { Option, type Command } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { formatTable, printJson } from '../output/print.js';
import { withProgress } from '../output/progress.js';
import { canAsk, confirm, readSecret } from '../output/prompt.js';
import { inCi, stdoutPaint } from '../output/terminal.js';
import type { ApiClient } from '../remote/api-client.js';
import { ApiError } from '../remote/api-client.js';
import { remoteClient, withUrlOption, type RemoteFlags } from '../remote/remote-flags.js';

interface ListFlags extends RemoteFlags {
  search?: string;
  limit: string;
  cursor?: string;
  json?: boolean;
}

interface CreateFlags extends RemoteFlags {
  email: string;
  role: 'user' | 'admin';
  verified?: boolean;
  password?: boolean;
  json?: boolean;
}

interface DisableFlags extends RemoteFlags {
  json?: boolean;
}

interface DeleteFlags extends RemoteFlags {
  yes?: boolean;
  json?: boolean;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('List, create, disable and delete user accounts.');

  withUrlOption(users.command('list').description('List users, oldest first, a page at a time.'))
    .option('-s, --search <text>', 'only users whose email contains this text (or whose id is this)')
    .option('--limit <n>', 'users per page (1-500)', '50')
    .option('--cursor <cursor>', 'the page after this cursor (printed after a full page)')
    .option('--json', 'print the page as JSON ({items, nextCursor})')
    .addHelpText(
      'after',
      `
Examples:
  $ hearth users list
  $ hearth users list --search @example.com --limit 100
  $ hearth users list --json | jq -r '.items[] | select(.disabled) | .email'`,
    )
    .action(async (flags: ListFlags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500)
        throw new CliError('--limit must be a whole number from 1 to 500');
      const client = await remoteClient(flags);
      const page = await withProgress('Listing users', () =>
        client.admin.users.list({
          ...(flags.search === undefined ? {} : { search: flags.search }),
          ...(flags.cursor === undefined ? {} : { cursor: flags.cursor }),
          limit,
        }),
      );
      if (flags.json) {
        printJson(page);
        return;
      }
      if (page.items.length === 0) {
        process.stdout.write('No users match.\n');
        return;
      }
      process.stdout.write(
        `${formatTable(
          ['ID', 'EMAIL', 'ROLE', 'VERIFIED', 'DISABLED', 'CREATED'],
          page.items.map((u) => [
            u.id,
            u.email ?? (u.anonymous ? '(anonymous)' : '-'),
            u.role,
            u.emailVerified ? 'yes' : 'no',
            u.disabled ? 'yes' : 'no',
            u.createdAt,
          ]),
        )}\n`,
      );
      if (page.nextCursor && !inCi())
        process.stderr.write(`More users: hearth users list --cursor ${page.nextCursor}\n`);
    });

  withUrlOption(users.command('create').description('Create a user account.'))
    .requiredOption('--email <email>', 'the email address')
    .addOption(new Option('--role <role>', 'the role').choices(['user', 'admin']).default('user'))
    .option('--verified', 'mark the email address as verified')
    .option('--password', 'set a password (typed hidden, or piped on stdin); without it the user resets one')
    .option('--json', 'print the created user as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ hearth users create --email ana@example.com --verified
  $ printf '%s' "$PASSWORD" | hearth users create --email bot@example.com --password --role admin`,
    )
    .action(async (flags: CreateFlags) => {
      const password = flags.password ? await readSecret('Password: ') : undefined;
      if (password === '') throw new CliError('no password given; type it at the prompt or pipe it on stdin');
      const client = await remoteClient(flags);
      let user: User;
      try {
        user = await withProgress('Creating the user', () =>
          client.admin.users.create({
            email: flags.email,
            role: flags.role,
            emailVerified: flags.verified === true,
            ...(password === undefined ? {} : { password }),
          }),
        );
      } catch (error) {
        if (error instanceof ApiError) throw new CliError(`${error.serverMessage} (${error.code})`);
        throw error;
      }
      if (flags.json) printJson({ user });
      else
        process.stdout.write(
          `${stdoutPaint().green('Created')} ${user.role} ${user.email ?? ''} (${user.id})\n`,
        );
    });

  for (const [name, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withUrlOption(
      users
        .command(name)
        .description(
          disabled
            ? 'Disable a user: sign-in is refused and every session is revoked.'
            : 'Enable a disabled user again.',
        )
        .argument('<user>', 'the user id or email address'),
    )
      .option('--json', 'print the updated user as JSON')
      .addHelpText(
        'after',
        `
Examples:
  $ hearth users ${name} ana@example.com
  $ hearth users ${name} 0b9c6a8e-4f0e-4d7a-9f4a-1d2c3b4a5e6f`,
      )
      .action(async (who: string, flags: DisableFlags) => {
        const client = await remoteClient(flags);
        const id = await findUserId(client, who);
        const user = await withProgress(`${disabled ? 'Disabling' : 'Enabling'} the user`, () =>
          client.admin.users.update(id, { disabled }),
        );
        if (flags.json) printJson({ user });
        else
          process.stdout.write(
            `${disabled ? stdoutPaint().yellow('Disabled') : 'Enabled'} ${user.email ?? user.id} (${user.id})\n`,
          );
      });
  }

  withUrlOption(
    users
      .command('delete')
      .description(
        'Delete a user for good: sessions end at once, and each relation to users applies its onDelete.',
      )
      .argument('<user>', 'the user id or email address'),
  )
    .option('-y, --yes', 'do not ask for confirmation (needed when not at a terminal, as in CI)')
    .option('--json', 'print {deleted: {id, email}} as JSON')
    .addHelpText(
      'after',
      `
Exit codes: 0 deleted, 1 no such user or not confirmed, 3 server unreachable or key refused,
4 refused: records with onDelete "restrict" still point at the user, or it is the last admin.

Examples:
  $ hearth users delete ana@example.com
  $ hearth users delete 0b9c6a8e-4f0e-4d7a-9f4a-1d2c3b4a5e6f --yes`,
    )
    .action(async (who: string, flags: DeleteFlags) => {
      const client = await remoteClient(flags);
      const user = await findUser(client, who);
      const name = user.email ?? user.id;
      if (!flags.yes) {
        if (!canAsk()) throw new CliError(`not deleting ${name} without confirmation; pass --yes`);
        if (!(await confirm(`Delete ${name} (${user.id}) and everything that cascades from it?`)))
          throw new CliError('not deleted');
      }
      try {
        await withProgress('Deleting the user', () => client.admin.users.delete(user.id));
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        if (error.code === 'admin/not-found') throw new CliError(`no user has the id ${user.id}`);
        if (error.code === 'records/referenced') {
          const collection = (error.details as { collection?: string } | undefined)?.collection ?? '?';
          throw new CliError(
            `records of ${collection} still refer to ${name} (onDelete "restrict"); delete or change them first`,
            EXIT.conflict,
          );
        }
        if (error.code === 'admin/last-admin')
          throw new CliError(`${name} is the last admin; make another admin first`, EXIT.conflict);
        throw new CliError(`${error.serverMessage} (${error.code})`);
      }
      if (flags.json) printJson({ deleted: { id: user.id, email: user.email } });
      else process.stdout.write(`${stdoutPaint().red('Deleted')} ${name} (${user.id})\n`);
    });

  registerUnlock(users);
}

/** `hearth users unlock`: lifts the login limits an attacker's guesses put on an account. */
function registerUnlock(users: Command): void {
  withUrlOption(
    users
      .command('unlock')
      .description('Lift the login limits on a user: wrong-password throttling from every address ends.')
      .argument('<user>', 'the user id or email address'),
  )
    .option('--json', 'print the user as JSON')
    .addHelpText(
      'after',
      `
Wrong passwords throttle sign-in from the address they came from, and many of
them from many addresses slow down sign-in to the account everywhere. This
starts the account's limits afresh, so its owner can sign in at once.

Examples:
  $ hearth users unlock ana@example.com
  $ hearth users unlock 0b9c6a8e-4f0e-4d7a-9f4a-1d2c3b4a5e6f`,
    )
    .action(async (who: string, flags: DisableFlags) => {
      const client = await remoteClient(flags);
      const id = await findUserId(client, who);
      const user = await withProgress('Unlocking the user', () => client.admin.users.unlock(id));
      if (flags.json) printJson({ user });
      else process.stdout.write(`Unlocked ${user.email ?? user.id} (${user.id})\n`);
    });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function findUserId(client: ApiClient, who: string): Promise<string> {
  if (UUID.test(who)) return who.toLowerCase();
  const { items } = await client.admin.users.list({ search: who, limit: 500 });
  const match = items.find((u) => u.email?.toLowerCase() === who.toLowerCase());
  if (!match) throw new CliError(`no user has the email ${who}; see \`hearth users list --search ${who}\``);
  return match.id;
}

/** The user by id or email, read from the server (so a prompt can name it). */
async function findUser(client: ApiClient, who: string): Promise<User> {
  const id = await findUserId(client, who);
  try {
    return await client.admin.users.get(id);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'admin/not-found')
      throw new CliError(`no user has the id ${id}; see \`hearth users list\``);
    throw error;
  }
}
