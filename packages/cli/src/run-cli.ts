import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { CliError, ExitSilently, formatError, EXIT } from './cli-error.js';

/** Runs the CLI and returns the exit code; never prints a stack trace unless --debug. */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof ExitSilently) return error.exitCode;
    const debug = argv.includes('--debug');
    process.stderr.write(`${formatError(error, debug)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.failure;
  }
}
