import type { User } from '@hearth/client';
import type { Command } from 'commander';
import {
  ConfigError,
  EmbeddedPostgresError,
  HearthError,
  createAdminUser,
  createLogger,
  createPool,
  endPool,
  loadConfig,
  migrateSystemSchema,
  startEmbeddedPostgres,
  withTransaction,
  type EmbeddedPostgres,
  type HearthConfig,
} from '@hearth/server';
import { CliError, EXIT } from '../cli-error.js';
import { normalizeServerUrl } from '../config/credentials.js';
import { printJson } from '../output/print.js';
import { withProgress } from '../output/progress.js';
import { readSecret } from '../output/prompt.js';
import { stdoutPaint } from '../output/terminal.js';
import { ApiClient, ApiError } from '../remote/api-client.js';

interface Flags {
  email: string;
  setupToken?: string;
  url?: string;
  dataDir?: string;
  config?: string;
  json?: boolean;
}

/** Who was made an admin: the user, as much of it as both ways of creating one know. */
type CreatedAdmin = Pick<User, 'id' | 'email' | 'role'>;

export function registerAdminCreate(admin: Command): void {
  admin
    .command('create')
    .description('Create an admin (or make an existing user one), in the database or with the setup token.')
    .requiredOption('--email <email>', "the admin's email address")
    .option(
      '--setup-token <token>',
      'create the first admin over HTTP with the one-time setup token (or link)',
    )
    .option('--url <url>', 'the server, with --setup-token (default: HEARTH_URL)')
    .option(
      '--data-dir <dir>',
      'data directory of the embedded database (HEARTH_DATA_DIR, default ./hearth-data)',
    )
    .option('--config <file>', 'JSON config file (HEARTH_CONFIG_FILE)')
    .option('--json', 'print the created admin as JSON')
    .addHelpText(
      'after',
      `
Without --setup-token it runs where the server runs and writes to its database
directly: HEARTH_DATABASE_URL, or the embedded database in the data dir (stop
the server first: the embedded database has one owner). An existing account with
this email becomes an admin with the new password. The password is typed hidden,
or piped on stdin.

With --setup-token it calls POST /api/admin/setup, which works only while no
admin exists, with the token from the link the server printed at first start.

Examples:
  $ hearth admin create --email ops@example.com
  $ printf '%s' "$ADMIN_PASSWORD" | HEARTH_DATABASE_URL=postgres://hearth@db/hearth hearth admin create --email ops@example.com
  $ hearth admin create --email ops@example.com --setup-token 'http://localhost:8090/_/setup?token=…'`,
    )
    .action(async (flags: Flags) => {
      const password = await readSecret('Password: ');
      if (password === '') throw new CliError('no password given; type it at the prompt or pipe it on stdin');
      const user = flags.setupToken
        ? await overHttp(flags, flags.setupToken, password)
        : await inDatabase(flags, password);
      if (flags.json) printJson({ user });
      else
        process.stdout.write(
          `${stdoutPaint().green('Created')} admin ${user.email ?? flags.email} (${user.id})\n`,
        );
    });
}

async function inDatabase(flags: Flags, password: string): Promise<CreatedAdmin> {
  let config;
  try {
    config = loadConfig({
      ...(flags.config === undefined ? {} : { configFile: flags.config }),
      overrides: flags.dataDir === undefined ? {} : { dataDir: flags.dataDir },
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`config error: ${error.message}`);
    throw error;
  }
  const logger = createLogger('error');
  let embedded: EmbeddedPostgres | undefined;
  try {
    let url = config.databaseUrl;
    if (!url) {
      embedded = await withProgress('Starting the embedded database', () =>
        startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedDatabasePort, logger }),
      );
      url = embedded.url;
    }
    const pool = createPool({ connectionString: url, max: 2, logger });
    try {
      await migrateSystemSchema(pool, logger);
      const row = await withProgress('Creating the admin', () =>
        withTransaction(pool, (db) => createAdminUser(db, { email: flags.email, password })),
      );
      return { id: row.id, email: row.email, role: row.role };
    } finally {
      await endPool(pool);
    }
  } catch (error) {
    if (error instanceof EmbeddedPostgresError)
      throw new CliError(
        `${error.message.split('\n')[0] ?? ''}; stop the server first, ${await whileServerRuns(flags, config)}`,
      );
    if (error instanceof HearthError) throw new CliError(`${error.message} (${error.code})`);
    const code = (error as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000')
      throw new CliError(
        `cannot use the database (${String(code)}: ${(error as Error).message}); check HEARTH_DATABASE_URL`,
        EXIT.unreachable,
      );
    throw error;
  } finally {
    await embedded?.stop();
  }
}

/**
 * What else works while the server holds the database. The setup link only
 * while no admin exists: once one does, it is spent, so suggesting it would
 * send the user to a page that can only refuse.
 */
async function whileServerRuns(flags: Flags, config: HearthConfig): Promise<string> {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url =
    flags.url ??
    process.env.HEARTH_URL ??
    config.publicUrl ??
    `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  const signedIn = `or, signed in as an admin (\`hearth login\`), run \`hearth users create --email ${flags.email} --role admin --password\``;
  let complete: boolean | undefined;
  try {
    const answer = await new ApiClient(normalizeServerUrl(url), undefined).admin.setupStatus();
    complete = typeof answer?.complete === 'boolean' ? answer.complete : undefined;
  } catch {
    complete = undefined;
  }
  if (complete === false) return 'or use --setup-token with the link it printed';
  if (complete === true) return signedIn;
  return `${signedIn} (while no admin exists, --setup-token with the link it printed works too)`;
}

async function overHttp(flags: Flags, tokenOrLink: string, password: string): Promise<CreatedAdmin> {
  let token = tokenOrLink;
  let url = flags.url ?? process.env.HEARTH_URL;
  if (/^https?:\/\//.test(tokenOrLink)) {
    const link = new URL(tokenOrLink);
    token = link.searchParams.get('token') ?? '';
    url ??= link.origin;
  }
  if (!url)
    throw new CliError(
      'no server given: pass --url (or HEARTH_URL), or pass the whole setup link as --setup-token',
    );
  const client = new ApiClient(normalizeServerUrl(url), undefined);
  try {
    const { user } = await withProgress('Creating the admin', () =>
      client.admin.setup({ token, email: flags.email, password }),
    );
    return user;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'admin/invalid-setup-token')
      throw new CliError(
        'the setup token is wrong; use the link the server printed at its first start',
        EXIT.unreachable,
      );
    if (error.code === 'admin/setup-complete')
      throw new CliError(
        'an admin exists already, so the setup token is used up; run `hearth admin create` without --setup-token where the server runs',
      );
    throw new CliError(`${error.serverMessage} (${error.code})`);
  }
}
