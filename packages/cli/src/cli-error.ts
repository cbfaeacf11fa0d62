/** An error the CLI reports as one line, with the exit code it documents. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function formatError(error: unknown, debug: boolean): string {
  if (debug && error instanceof Error && error.stack) return `hearth: ${error.stack}`;
  const message = error instanceof Error ? error.message : String(error);
  return `hearth: ${message.split('\n')[0]}`;
}
