import type { ErrorCode } from './error-codes.js';

/** Every failed call rejects with this; `code` is the server's stable error code. */
export class HearthError extends Error {
  readonly code: ErrorCode;
  /** HTTP status, or 0 when no response arrived. */
  readonly status: number;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, status: number, details?: unknown, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HearthError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export function isHearthError(value: unknown): value is HearthError {
  return value instanceof HearthError;
}
