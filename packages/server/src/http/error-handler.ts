import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HearthError } from '../errors/index.js';
import { sendError, toHearthError } from './send-error.js';

export const notFound: RequestHandler = (_req, _res, next) => next(new HearthError('http/not-found'));

/**
 * The single place where errors thrown in Express routes become responses.
 * Unknown errors are logged with their stack and answered with a bare 500.
 */
export const errorHandler: ErrorRequestHandler = (error, req, res, next) => {
  if (res.headersSent) return next(error);
  sendError(res, toHearthError(error, req.log, req.id));
};
