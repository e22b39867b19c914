import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable, isUnstorableText } from '../db/errors.js';
import { AppError, errors } from './errors.js';
import { toFieldErrors } from './validation.js';

const TYPE_BASE = 'https://landlord.dev/errors/';

export function problemBody(error: AppError, requestId: string) {
  return {
    type: `${TYPE_BASE}${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: error.title,
    status: error.status,
    code: error.code,
    detail: error.message,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, error: AppError) {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.status).type('application/problem+json').send(problemBody(error, String(reply.request.id)));
}

/** Turns anything thrown while handling a request into one of the contract's errors. */
export function toAppError(error: FastifyError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { validation?: any[]; validationContext?: string };
  if (e.validation) {
    const prefix = e.validationContext === 'body' ? '' : '';
    return errors.validation(toFieldErrors(e.validation, prefix));
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errors.unsupportedMediaType(request.headers['content-type']);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.payloadTooLarge();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.malformedJson();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(400, 'BAD_REQUEST', 'Content-Length does not match the body');
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) return errors.malformedJson();
  if (isUnavailable(e)) return errors.unavailable('The database is unreachable; try again shortly');
  if (isUnstorableText(e)) return new AppError(400, 'BAD_REQUEST', 'The request contains text the database cannot store (NUL characters)');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new AppError(e.statusCode, 'BAD_REQUEST', 'The request could not be processed');
  }
  return new AppError(500, 'INTERNAL_SERVER_ERROR', 'An unexpected error happened; it has been logged');
}

export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, appError);
  });
}
