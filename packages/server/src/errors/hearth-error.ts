import { errorTable, type ErrorCode } from './error-table.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** The one error type of the server. Services throw it; the HTTP layer maps it. */
export class HearthError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: unknown;
  /** Extra response headers, e.g. Retry-After on a 429. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message ?? errorTable[code].message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = 'HearthError';
    this.code = code;
    this.status = errorTable[code].status;
    this.details = options.details;
    this.headers = options.headers ?? {};
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isHearthError(value: unknown): value is HearthError {
  return value instanceof HearthError;
}
