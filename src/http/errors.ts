import { AppError, errors, type ErrorKind } from '../lib/errors.js';

const STATUS: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  invalid: 422,
  rolled_back: 424,
  gone: 410,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  408: 'Request timeout',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Validation failed',
  424: 'Failed dependency',
  429: 'Too many requests',
  431: 'Request header fields too large',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** A problem that exists only in HTTP (a method, a media type, a body or URL too large): it carries its own status. */
export class HttpProblem extends AppError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status >= 500 ? 'internal' : 'bad_request', code, message);
  }
}

/** The HTTP status of an error: the one place kinds become statuses. */
export function statusOf(error: AppError): number {
  return error instanceof HttpProblem ? error.status : STATUS[error.kind];
}

export const titleOf = (status: number): string => TITLES[status] ?? 'Error';

/** Headers an error's answer carries. */
export function headersOf(error: AppError): Record<string, string> {
  if (error instanceof HttpProblem) return error.headers;
  if (error.kind === 'unauthenticated') return { 'www-authenticate': 'Bearer realm="landlord"' };
  if (error.retryAfterSeconds !== undefined) return { 'retry-after': String(error.retryAfterSeconds) };
  return {};
}

export const httpErrors = {
  malformedJson: (detail = 'The request body is not valid JSON') => new HttpProblem(400, 'MALFORMED_JSON', detail),
  methodNotAllowed: (allow: string[]) => new HttpProblem(405, 'METHOD_NOT_ALLOWED', `Allowed methods: ${allow.join(', ')}`, { allow: allow.join(', ') }),
  payloadTooLarge: () => new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'The request body exceeds 1 MiB'),
  uriTooLong: () => new HttpProblem(414, 'URI_TOO_LONG', 'A path segment of the URL is too long'),
  unsupportedMediaType: (type: string | undefined) =>
    new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type ? `"${type}" ` : ''}is not supported; send application/json`),
  idempotencyReused: () => new AppError('invalid', 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request'),
  idempotencyInProgress: () => errors.conflict('IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed'),
};
