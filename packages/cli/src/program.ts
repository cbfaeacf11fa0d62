import { Command } from 'commander';
import { registerStart } from './commands/start.js';

/** The whole command tree; docs/cli.md is checked against it by a test. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a self-hosted backend for app developers.')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)');
  registerStart(program);
  return program;
}
