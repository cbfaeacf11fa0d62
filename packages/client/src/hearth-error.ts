import type { ErrorCode, clientErrorCodes } from './error-codes.js';

/** Codes the SDK produces itself when no usable server answer arrived. */
export type ClientErrorCode = (typeof clientErrorCodes)[number];

/** What `HearthError.code` may hold: server codes, client codes, or a code added by a newer server. */
export type HearthErrorCode = ErrorCode | ClientErrorCode;

/** Every failed call rejects with this; `code` is the server's stable error code. */
export class HearthError extends Error {
  readonly code: HearthErrorCode;
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly details: unknown;
  readonly retryAfter: number | undefined;

  constructor(
    code: HearthErrorCode,
    message: string,
    status: number,
    details?: unknown,
    options?: { cause?: unknown; retryAfter?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HearthError';
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = options?.retryAfter;
  }
}

export function isHearthError(value: unknown): value is HearthError {
  return value instanceof HearthError;
}
