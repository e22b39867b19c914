/**
 * The one error type the application throws. It says what went wrong (its kind) and a stable
 * code; how that reaches a client (an HTTP status, problem+json, an OAuth error) is decided at
 * the edge, in src/http.
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  /** The input is well-formed but unacceptable (field errors). */
  | 'invalid'
  /** Not done because another part of an all-or-nothing request failed. */
  | 'rolled_back'
  /** What the request names existed but is spent for good (a used or expired one-time link). */
  | 'gone'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly errors: FieldError[] | undefined;
  /** For `rate_limited`: when the caller may try again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(kind: ErrorKind, code: string, message: string, extra: { errors?: FieldError[]; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: extra.cause });
    this.kind = kind;
    this.code = code;
    this.errors = extra.errors;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

export const errors = {
  badRequest: (detail: string) => new AppError('bad_request', 'BAD_REQUEST', detail),
  unauthorized: (detail = 'A valid credential is required') => new AppError('unauthenticated', 'UNAUTHORIZED', detail),
  forbidden: (detail = 'Your role or scopes do not allow this action') => new AppError('forbidden', 'FORBIDDEN', detail),
  notFound: (detail = 'Not found') => new AppError('not_found', 'NOT_FOUND', detail),
  conflict: (code: string, detail: string, field?: string) =>
    new AppError('conflict', code, detail, field ? { errors: [{ field, code, message: detail }] } : {}),
  preconditionFailed: () => new AppError('precondition_failed', 'PRECONDITION_FAILED', 'If-Match does not match the current ETag of the resource'),
  validation: (fieldErrors: FieldError[]) =>
    new AppError('invalid', 'VALIDATION', fieldErrors.length === 1 ? '1 field is invalid' : `${fieldErrors.length} fields are invalid`, {
      errors: fieldErrors,
    }),
  field: (field: string, code: string, message: string) => errors.validation([{ field, code, message }]),
  rateLimited: (detail: string, retryAfterSeconds: number) => new AppError('rate_limited', 'RATE_LIMITED', detail, { retryAfterSeconds }),
  rolledBack: (detail: string) => new AppError('rolled_back', 'BATCH_ROLLED_BACK', detail),
  gone: (code: string, detail: string) => new AppError('gone', code, detail),
  unavailable: (detail = 'The service is unavailable') => new AppError('unavailable', 'UNAVAILABLE', detail),
  internal: () => new AppError('internal', 'INTERNAL_SERVER_ERROR', 'An unexpected error happened; it has been logged'),
};
