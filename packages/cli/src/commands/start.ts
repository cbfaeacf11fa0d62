import type { Command } from 'commander';
import { ConfigError, EmbeddedPostgresError, loadConfig, startHearth } from '@hearth/server';
import { CliError } from '../cli-error.js';

interface StartFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  config?: string;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Start the Hearth server (embedded PostgreSQL unless HEARTH_DATABASE_URL is set).')
    .option('--port <port>', 'TCP port to listen on (HEARTH_PORT, default 8090)')
    .option('--host <host>', 'address to bind (HEARTH_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (HEARTH_DATA_DIR, default ./hearth-data)')
    .option('--config <file>', 'JSON config file (HEARTH_CONFIG_FILE)')
    .addHelpText(
      'after',
      `
Examples:
  $ hearth start
  $ hearth start --port 8091 --data-dir /var/lib/hearth
  $ HEARTH_DATABASE_URL=postgres://hearth@db/hearth hearth start --host 0.0.0.0`,
    )
    .action(async (flags: StartFlags) => {
      await start(flags);
    });
}

async function start(flags: StartFlags): Promise<void> {
  let config;
  try {
    config = loadConfig({
      ...(flags.config === undefined ? {} : { configFile: flags.config }),
      overrides: {
        ...(flags.port === undefined ? {} : { port: flags.port }),
        ...(flags.host === undefined ? {} : { host: flags.host }),
        ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
      },
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`config error: ${error.message}`);
    throw error;
  }

  // Listen for signals before anything can be printed: a supervisor may send
  // SIGTERM the moment it reads the URL, or while we are still starting.
  let signalled: NodeJS.Signals | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signalled ??= signal;
  };
  const handler = (signal: NodeJS.Signals) => onSignal(signal);
  // SIGHUP: the terminal closed (or pnpm, which got the Ctrl-C too, left first); stop as for SIGTERM.
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, handler);

  let hearth;
  try {
    hearth = await startHearth(config);
  } catch (error) {
    for (const signal of signals) process.off(signal, handler);
    if (error instanceof EmbeddedPostgresError) throw new CliError(error.message);
    // Found only once the database is open, e.g. secrets encrypted under a key that is not configured.
    if (error instanceof ConfigError) throw new CliError(`config error: ${error.message}`);
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CliError(
        `port ${config.port} on ${config.host} is already in use; stop what uses it, or choose another with --port`,
      );
    }
    throw error;
  }
  const running = hearth;

  const setup = running.setupUrl
    ? `No admin exists yet. Create the first one with this one-time link:\n  ${running.setupUrl}\n`
    : '';
  // One write, so a reader of the first line also has the setup link.
  process.stdout.write(`Hearth is running at ${running.url}\n${setup}`);

  await new Promise<void>((resolve) => {
    let stopping = false;
    onSignal = (signal) => {
      // A second signal while stopping changes nothing; the deadline below still holds.
      if (stopping) return;
      stopping = true;
      // The one line a Ctrl-C prints: PostgreSQL runs in its own process group, so nothing else is interrupted.
      process.stdout.write(`Stopping Hearth (${signal})\n`);
      running.logger.debug({ signal }, 'shutting down');
      // A stuck dependency must not keep the process alive past the deadline.
      const deadline = setTimeout(() => {
        running.logger.error('shutdown deadline passed; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs + 5_000);
      deadline.unref();
      void running.close().then(resolve, resolve);
    };
    if (signalled) onSignal(signalled);
  });
  for (const signal of signals) process.off(signal, handler);
}
