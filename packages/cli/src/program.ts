import { Command } from 'commander';
import { cliVersion } from './cli-version.js';
import { registerAdminCreate } from './commands/admin-create.js';
import { registerGenTypes } from './commands/gen-types.js';
import { registerKeys } from './commands/keys.js';
import { registerInit } from './commands/init.js';
import { registerLogin } from './commands/login.js';
import { registerSchemaDiff } from './commands/schema-diff.js';
import { registerSchemaPull } from './commands/schema-pull.js';
import { registerSchemaPush } from './commands/schema-push.js';
import { registerRulesTest } from './commands/rules-test.js';
import { registerSchemaValidate } from './commands/schema-validate.js';
import { registerStart } from './commands/start.js';
import { registerUsers } from './commands/users.js';

/** The whole command tree; docs/cli.md is checked against it by a test. */
export function buildProgram(): Command {
  const program = new Command('hearth')
    .description('Hearth: a self-hosted backend for app developers.')
    .version(cliVersion(), '-V, --version', 'print the version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Exit codes: 0 success, 1 invalid input or failure, 2 destructive schema change
without --allow-destructive, 3 cannot connect or not authorised, 4 conflict.
Server commands use HEARTH_URL and HEARTH_SERVICE_KEY, or what \`hearth login\` saved.

Examples:
  $ hearth init
  $ hearth schema validate && hearth rules test
  $ HEARTH_URL=https://api.example.com HEARTH_SERVICE_KEY=hearth_sk_... hearth schema push --dry-run`,
    );

  registerStart(program);
  registerInit(program);
  registerLogin(program);

  const schema = program
    .command('schema')
    .description('Validate, diff, push and pull the schema document (hearth.schema.json).');
  registerSchemaValidate(schema);
  registerSchemaDiff(schema);
  registerSchemaPush(schema);
  registerSchemaPull(schema);

  const rules = program.command('rules').description('Test collection rules offline.');
  registerRulesTest(rules);

  const gen = program.command('gen').description('Generate code from the schema.');
  registerGenTypes(gen);

  const admin = program.command('admin').description('Manage admin accounts.');
  registerAdminCreate(admin);
  registerKeys(program);
  registerUsers(program);

  return program;
}
