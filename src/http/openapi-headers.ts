/**
 * The headers of the contract, declared in the OpenAPI document after the routes have built it:
 * `Idempotency-Key` on every `/v1` POST, `If-Match` where an operation honours it (its
 * description says so), `X-Request-Id` on every response, the `RateLimit-*` headers on `/v1`
 * answers, `Retry-After` on 429, `Allow` on 405 and `ETag` on single resources that carry one.
 */

type Response = { description?: string; headers?: Record<string, unknown>; content?: Record<string, unknown> };
type Operation = { description?: string; parameters?: unknown[]; responses?: Record<string, Response> };
export type HeaderedDoc = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { headers?: Record<string, unknown>; parameters?: Record<string, unknown> };
};

const HEADERS = {
  'X-Request-Id': { description: 'The request id: the one the client sent (1-128 of `A-Za-z0-9._:-`) or a new UUID', schema: { type: 'string' } },
  'RateLimit-Limit': { description: "Requests a minute of the tighter bucket (the credential's or its tenant's)", schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in that bucket', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the bucket is full again', schema: { type: 'integer' } },
  'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } },
  Allow: { description: 'The methods the path accepts', schema: { type: 'string' } },
  ETag: { description: 'Strong entity tag of the resource as returned; send it back as `If-Match`', schema: { type: 'string' } },
};

const PARAMETERS = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes the POST safe to retry: the first answer is kept 24 h per credential and replayed (with `Idempotent-Replayed: true`); the same key with another body is 422 `IDEMPOTENCY_KEY_REUSED`, one still running 409 `IDEMPOTENCY_IN_PROGRESS`',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
    example: '5f1c9e2a-7b3d-4e8f-a016-2c4d6e8f0b13',
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description: 'The `ETag` the change is based on; 412 `PRECONDITION_FAILED` when the resource has changed since',
    schema: { type: 'string' },
  },
};

const ref = (kind: 'headers' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

export function declareHeaders<T extends HeaderedDoc>(doc: T): T {
  doc.components ??= {};
  doc.components.headers = { ...doc.components.headers, ...HEADERS };
  doc.components.parameters = { ...doc.components.parameters, ...PARAMETERS };
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    const api = path.startsWith('/v1/');
    const tagged = Object.values(ops).some((op) => op.description?.includes('Honours `If-Match`'));
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters ??= []);
      const add = (name: string) => {
        if (!params.some((p) => (p as { $ref?: string }).$ref === ref('parameters', name).$ref)) params.push(ref('parameters', name));
      };
      if (api && method === 'post') add('IdempotencyKey');
      const ifMatch = op.description?.includes('Honours `If-Match`');
      if (ifMatch) add('IfMatch');
      if (!params.length) delete op.parameters;
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const headers: Record<string, unknown> = { ...response.headers, 'X-Request-Id': ref('headers', 'X-Request-Id') };
        if (api) for (const name of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) headers[name] = ref('headers', name);
        if (status === '429') headers['Retry-After'] = ref('headers', 'Retry-After');
        if (status === '405') headers.Allow = ref('headers', 'Allow');
        const single = tagged && (method === 'get' || ifMatch) && status.startsWith('2') && status !== '204';
        if (single || (path === '/v1/tenants' && method === 'post' && status === '201')) headers.ETag = ref('headers', 'ETag');
        response.headers = headers;
      }
    }
  }
  return doc;
}
