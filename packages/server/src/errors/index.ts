export { errorTable, errorCodes, statusOf, type ErrorCode } from './error-table.js';
export { HearthError, isHearthError, type ErrorBody } from './hearth-error.js';
