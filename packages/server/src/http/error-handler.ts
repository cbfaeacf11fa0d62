import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HearthError, isHearthError } from '../errors/index.js';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Translates errors thrown below the HTTP layer (body-parser, raw-body) into table codes. */
function fromTransportError(error: unknown): HearthError | undefined {
  const parserError = error as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return new HearthError('http/invalid-json');
    case 'entity.too.large':
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

export const notFound: RequestHandler = (_req, _res, next) => next(new HearthError('http/not-found'));

/**
 * The single place where errors become responses. Unknown errors are logged
 * with their stack and answered with a bare 500: nothing internal leaks.
 */
export const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  let hearthError = isHearthError(error) ? error : fromTransportError(error);
  if (!hearthError) {
    req.log?.error({ err: error }, 'unhandled error');
    hearthError = new HearthError('internal');
  }
  res.locals.errorCode = hearthError.code;
  res.status(hearthError.status).set(hearthError.headers).json(hearthError.toBody());
};
