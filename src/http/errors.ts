export interface FieldError {
  field: string;
  code: string;
  message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Payload too large',
  414: 'URI too long',
  415: 'Unsupported media type',
  422: 'Validation failed',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The one error type the application throws; the error handler turns it into problem+json. */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: extra.cause });
    this.status = status;
    this.code = code;
    this.errors = extra.errors;
    this.headers = extra.headers;
  }

  get title(): string {
    return TITLES[this.status] ?? 'Error';
  }
}

export const errors = {
  malformedJson: (detail = 'The request body is not valid JSON') => new AppError(400, 'MALFORMED_JSON', detail),
  unauthorized: (detail = 'A valid credential is required') =>
    new AppError(401, 'UNAUTHORIZED', detail, { headers: { 'www-authenticate': 'Bearer realm="landlord"' } }),
  forbidden: (detail = 'Your role or scopes do not allow this action') => new AppError(403, 'FORBIDDEN', detail),
  notFound: (detail = 'Not found') => new AppError(404, 'NOT_FOUND', detail),
  methodNotAllowed: (allow: string[]) =>
    new AppError(405, 'METHOD_NOT_ALLOWED', `Allowed methods: ${allow.join(', ')}`, { headers: { allow: allow.join(', ') } }),
  conflict: (code: string, detail: string, field?: string) =>
    new AppError(409, code, detail, field ? { errors: [{ field, code, message: detail }] } : {}),
  preconditionFailed: () =>
    new AppError(412, 'PRECONDITION_FAILED', 'If-Match does not match the current ETag of the resource'),
  payloadTooLarge: () => new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body exceeds 1 MiB'),
  unsupportedMediaType: (type: string | undefined) =>
    new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type ${type ? `"${type}" ` : ''}is not supported; send application/json`),
  validation: (fieldErrors: FieldError[]) =>
    new AppError(
      422,
      'VALIDATION',
      fieldErrors.length === 1 ? '1 field is invalid' : `${fieldErrors.length} fields are invalid`,
      { errors: fieldErrors },
    ),
  field: (field: string, code: string, message: string) => errors.validation([{ field, code, message }]),
  idempotencyReused: () =>
    new AppError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request'),
  idempotencyInProgress: () =>
    new AppError(409, 'IDEMPOTENCY_IN_PROGRESS', 'A request with this Idempotency-Key is still being processed'),
  unavailable: (detail = 'The service is unavailable') => new AppError(503, 'UNAVAILABLE', detail),
};
