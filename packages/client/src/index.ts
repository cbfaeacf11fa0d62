export { HearthError, isHearthError } from './hearth-error.js';
export { knownErrorCodes, clientErrorCodes, type KnownErrorCode, type ErrorCode } from './error-codes.js';
