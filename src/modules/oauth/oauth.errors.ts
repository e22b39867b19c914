import type { ErrorObject } from 'ajv';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isUnavailable } from '../../db/errors.js';
import { AppError } from '../../lib/errors.js';
import { toFieldErrors } from '../../lib/validation.js';

/** The error codes of RFC 6749 section 5.2, RFC 7009 and RFC 8707 that this server uses. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'server_error'
  | 'temporarily_unavailable';

/** An OAuth protocol error; the OAuth routes answer it as `{error, error_description}`, never problem+json. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    description: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export const oauthErrors = {
  invalidRequest: (description: string) => new OAuthError(400, 'invalid_request', description),
  // RFC 6749 5.2: a failed client authentication is 401 with the scheme the client may retry with.
  invalidClient: (description = 'Client authentication failed') =>
    new OAuthError(401, 'invalid_client', description, { 'www-authenticate': 'Basic realm="landlord", charset="UTF-8"' }),
  unauthorizedClient: (description: string) => new OAuthError(400, 'unauthorized_client', description),
  unsupportedGrantType: (grantType: string) =>
    new OAuthError(400, 'unsupported_grant_type', `grant_type "${grantType.slice(0, 64)}" is not supported; use client_credentials`),
  invalidScope: (description: string) => new OAuthError(400, 'invalid_scope', description),
  // One answer for "no such tenant" and "not yours", so a client cannot probe other organizations.
  invalidTarget: (description = 'The tenant does not exist or is not available to this client') => new OAuthError(400, 'invalid_target', description),
};

/** Maps whatever a request in the OAuth context threw onto an RFC 6749 error. */
export function toOAuthError(error: FastifyError | Error): OAuthError {
  if (error instanceof OAuthError) return error;
  const e = error as FastifyError & { validation?: ErrorObject[] };
  if (e.validation) {
    const first = toFieldErrors(e.validation, '')[0];
    return oauthErrors.invalidRequest(first ? `${first.field || 'body'}: ${first.message}` : 'The request parameters are invalid');
  }
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return oauthErrors.invalidRequest('Send the parameters as application/x-www-form-urlencoded or application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError(413, 'invalid_request', 'The request body is too large');
  }
  if (e instanceof AppError) {
    // Too many failed client authentications: RFC 6749 has no code for it, so the status and
    // Retry-After carry the meaning.
    if (e.kind === 'rate_limited') {
      return new OAuthError(429, 'temporarily_unavailable', e.message, e.retryAfterSeconds === undefined ? {} : { 'retry-after': String(e.retryAfterSeconds) });
    }
    if (e.kind === 'unavailable') return new OAuthError(503, 'temporarily_unavailable', e.message);
    if (e.kind !== 'internal') return oauthErrors.invalidRequest(e.message);
  }
  if (isUnavailable(e)) return new OAuthError(503, 'temporarily_unavailable', 'The database is unreachable; try again shortly');
  const status = (e as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) return oauthErrors.invalidRequest('The request could not be processed');
  return new OAuthError(500, 'server_error', 'An unexpected error happened; it has been logged');
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError) {
  // RFC 6749 5.1/5.2: responses of the token endpoint must not be cached.
  reply.headers({ ...error.headers, 'cache-control': 'no-store', pragma: 'no-cache' });
  return reply.code(error.status).type('application/json').send({ error: error.error, error_description: error.message });
}

/** Error handler of the OAuth context (set on an encapsulated plugin, so /v1 keeps problem+json). */
export function registerOAuthErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const oauthError = toOAuthError(error);
    if (oauthError.status >= 500) request.log.error({ err: error }, 'oauth request failed');
    return sendOAuthError(reply, oauthError);
  });
}
