export { buildProgram } from './program.js';
export { runCli } from './run-cli.js';
export { CliError } from './cli-error.js';
