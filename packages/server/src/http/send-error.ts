import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { fromDatabaseError } from '../db/database-errors.js';
import { HearthError, isHearthError } from '../errors/index.js';

interface BodyParserError {
  type?: string;
}

/** Translates errors thrown below the HTTP layer (body-parser, raw-body, the router) into table codes. */
function fromTransportError(error: unknown): HearthError | undefined {
  // Express's router throws this when a path parameter is not valid percent-encoding.
  if (error instanceof URIError || (error as Error | undefined)?.message === 'Failed to decode param') {
    return new HearthError('http/malformed-url');
  }
  switch ((error as BodyParserError | undefined)?.type) {
    case 'entity.parse.failed':
      return new HearthError('http/invalid-json');
    case 'entity.too.large':
    case 'parameters.too.many': // a form body with more fields than the parser takes (an OAuth form post)
      return new HearthError('http/payload-too-large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HearthError('http/unsupported-media-type', 'The request body must be UTF-8 encoded JSON.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new HearthError('http/invalid-json', 'The request body could not be read.');
    default:
      return undefined;
  }
}

/** The error a response will carry: table errors as they are, anything else logged and hidden behind `internal`. */
export function toHearthError(error: unknown, log: Logger, reqId?: string): HearthError {
  const known = isHearthError(error) ? error : fromTransportError(error);
  if (known) return known;
  const database = fromDatabaseError(error);
  if (database) {
    // Expected under load or while the database restarts: one line, no stack.
    const reason = error instanceof Error ? error.message : String(error);
    log.warn({ reqId, code: database.code, reason }, 'the database could not serve a request');
    return database;
  }
  log.error({ err: error, reqId }, 'unhandled error');
  return new HearthError('internal');
}

/** Writes `{"error":{code,message,details?}}` with the table's status and headers; never a stack trace. */
export function sendError(res: ServerResponse, error: HearthError): void {
  const text = JSON.stringify(error.toBody());
  res.statusCode = error.status;
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
