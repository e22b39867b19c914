import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUnavailable, isUnstorableText } from '../db/errors.js';
import { AppError, errors } from '../lib/errors.js';
import { toFieldErrors } from '../lib/validation.js';
import { HttpProblem, headersOf, httpErrors, statusOf, titleOf } from './errors.js';

const TYPE_BASE = 'https://landlord.dev/errors/';

export function problemBody(error: AppError, requestId: string) {
  const status = statusOf(error);
  return {
    type: `${TYPE_BASE}${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(status),
    status,
    code: error.code,
    detail: error.message,
    requestId,
    ...(error.errors ? { errors: error.errors } : {}),
  };
}

export function sendProblem(reply: FastifyReply, error: AppError) {
  reply.headers(headersOf(error));
  return reply
    .code(statusOf(error))
    .type('application/problem+json')
    .send(problemBody(error, String(reply.request.id)));
}

/** Turns anything thrown while handling a request into one of the contract's errors. */
export function toAppError(error: FastifyError | Error, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;
  const e = error as FastifyError & { validation?: ErrorObject[]; validationContext?: string };
  if (e.validation) {
    const prefix = e.validationContext === 'body' ? '' : '';
    return errors.validation(toFieldErrors(e.validation, prefix));
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return httpErrors.unsupportedMediaType(request.headers['content-type']);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return httpErrors.payloadTooLarge();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return httpErrors.malformedJson();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errors.badRequest('Content-Length does not match the body');
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) return httpErrors.malformedJson();
  if (isUnavailable(e)) return errors.unavailable('The database is unreachable; try again shortly');
  if (isUnstorableText(e)) return errors.badRequest('The request contains text the database cannot store (NUL characters)');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new HttpProblem(e.statusCode, 'BAD_REQUEST', 'The request could not be processed');
  }
  return errors.internal();
}

declare module 'fastify' {
  interface FastifyReply {
    /** The problem+json body for an error, for answers that embed problems (batch results). */
    problemBody(error: AppError): ReturnType<typeof problemBody>;
  }
}

export function registerErrorHandler(app: FastifyInstance) {
  app.decorateReply('problemBody', function (this: FastifyReply, error: AppError) {
    return problemBody(error, String(this.request.id));
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    if (statusOf(appError) >= 500) request.log.error({ err: error }, 'request failed');
    return sendProblem(reply, appError);
  });
}
