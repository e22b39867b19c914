import { Type, type Static, type TSchema } from 'typebox';

/** The keyword that carries what only the OpenAPI document shows of a schema (see `DocumentedAs`). */
export const DOCUMENT_ONLY = 'x-document-only';

/** An enum that also allows null, for a nullable schema. */
function enumWithNull(s: Record<string, unknown>): Record<string, unknown> {
  const documented = s[DOCUMENT_ONLY] as Record<string, unknown> | undefined;
  return {
    ...(Array.isArray(s.enum) ? { enum: [...s.enum, null] } : {}),
    ...(documented && Array.isArray(documented.enum) ? { [DOCUMENT_ONLY]: { ...documented, enum: [...documented.enum, null] } } : {}),
  };
}

/** `T | null` as a single JSON-schema type list, so validation reports one error per field. */
export function Nullable<T extends TSchema>(schema: T, extra: Record<string, unknown> = {}) {
  const s = schema as unknown as Record<string, unknown>;
  const type = s.type ? [s.type, 'null'].flat() : undefined;
  return Type.Unsafe<Static<T> | null>(type ? { ...s, ...extra, type, ...enumWithNull(s) } : { anyOf: [s, { type: 'null' }], ...extra });
}

export const FieldErrorSchema = Type.Object({
  field: Type.String(),
  code: Type.String(),
  message: Type.String(),
});

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable, machine-readable error code' }),
    detail: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(FieldErrorSchema)),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

/**
 * An object whose keys are any strings and whose values follow `value`. Not Type.Record: its
 * `^.*$` key pattern does not match keys holding a line terminator (U+2028 and the like), and
 * the response serializer silently leaves out keys a pattern does not match.
 */
export const MapOf = <T extends TSchema>(value: T, extra: Record<string, unknown> = {}) =>
  Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...extra });

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const Timestamp = Type.String({ format: 'date-time' });

export const ListEnvelope = <T extends TSchema>(item: T) =>
  Type.Object({
    count: Nullable(Type.Integer(), {
      description:
        "Number of matches: exact when there are at most 1,000 and the database planner expects at most 1,000; otherwise the planner's estimate, always more than 1,000 (so any count above 1,000 is an estimate, and the first page costs the same however large the set); a page with no next page counts exactly. Null when not counted (see the `count` parameter)",
    }),
    next: Nullable(Type.String(), { description: 'URL of the next page, or null' }),
    previous: Nullable(Type.String(), { description: 'URL of the previous page, or null' }),
    results: Type.Array(item),
  });

export const ListQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1-100 (default 20)' })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Alias of `limit`' })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Alias of `limit`' })),
  cursor: Type.Optional(Type.String({ maxLength: 1000, description: 'Opaque cursor from `next` or `previous`' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: '1-based page number (offset mode)' })),
  count: Type.Optional(
    Type.Boolean({
      description:
        'Whether to compute the total `count`. Default: on the first page only (later pages answer `count: null`); `false` skips it, `true` asks for it on any page',
    }),
  ),
};

export const HttpUrl = (extra: Record<string, unknown> = {}) => Type.String({ format: 'http-url', maxLength: 2048, 'x-error-code': 'BAD_URL', ...extra });

export const Email = (extra: Record<string, unknown> = {}) => Type.String({ format: 'email', maxLength: 254, 'x-error-code': 'BAD_EMAIL', ...extra });

/**
 * `schema` as requests are validated, and `documented` merged into it in the OpenAPI document
 * only: an enum for a value the service checks itself, so that a bad one is still answered with
 * the service's own field error code (`BAD_SCOPE`, `BAD_FORMAT`) rather than the validator's.
 */
export const DocumentedAs = <T extends TSchema>(schema: T, documented: Record<string, unknown>) =>
  Type.Unsafe<Static<T>>({ ...(schema as unknown as Record<string, unknown>), [DOCUMENT_ONLY]: documented });
