/**
 * Exit codes are part of the CLI's contract (docs/cli.md). `schema push` uses
 * all of them; `users delete` uses 4 too; other commands use 0, 1 and 3.
 */
export const EXIT = {
  ok: 0,
  /** Invalid input: a schema or rule error, a failed rule test, a bad flag, any other failure. */
  failure: 1,
  /** The schema change is destructive and --allow-destructive was not given. */
  destructive: 2,
  /** The server cannot be reached, or refused the credentials. */
  unreachable: 3,
  /** A conflict: the schema changed since it was planned, another push is running, or a delete was refused. */
  conflict: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line, with the exit code it documents. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * The run is over with `exitCode`, and everything the user needs was already
 * printed (a failed rule test, a destructive plan): runCli prints nothing more.
 */
export class ExitSilently extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitSilently';
  }
}

export function formatError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return `hearth: ${error.stack}`;
  const message = error instanceof Error ? error.message : String(error);
  return `hearth: ${message.split('\n')[0]}`;
}
