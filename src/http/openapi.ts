import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { declareHeaders, type HeaderedDoc } from './openapi-headers.js';
import { declareWebhooks } from './openapi-webhooks.js';
import { describeResponses, nameSchemas } from './openapi-names.js';
import { mergeDocumentOnly } from './openapi-document-only.js';
import { addExamples } from './openapi-examples.js';

const PROBLEM = { $ref: 'Problem#' };

// Every /v1 route can answer with these; declaring them keeps the OpenAPI document complete.
const API_ERRORS: Record<number, string> = {
  400: 'Malformed JSON (`MALFORMED_JSON`)',
  401: 'Missing, invalid, expired or revoked credential (`UNAUTHORIZED`)',
  403: 'The role or scopes do not allow the action (`FORBIDDEN`)',
  404: "No such resource, or outside the caller's tenant or organization (`NOT_FOUND`)",
  405: 'Known path, wrong method (`METHOD_NOT_ALLOWED`, with `Allow`)',
  409: 'Uniqueness conflict or `IDEMPOTENCY_IN_PROGRESS`',
  412: '`If-Match` does not match (`PRECONDITION_FAILED`)',
  413: 'Body over 1 MiB (`PAYLOAD_TOO_LARGE`)',
  415: 'Body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)',
  422: 'Field errors (`VALIDATION`, at most 100, unknown query parameters included) or `IDEMPOTENCY_KEY_REUSED`',
  429: 'Rate limited or too many failed attempts (`RATE_LIMITED`, with `Retry-After`)',
  500: 'Unexpected error (`INTERNAL_SERVER_ERROR`)',
  503: 'Shutting down, or the database is unreachable (`UNAVAILABLE`, answered within 5 s)',
};
const OPS_ERRORS: Record<number, string> = { 405: API_ERRORS[405], 500: API_ERRORS[500], 503: API_ERRORS[503] };

export function addErrorResponses(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs') || route.url === '/openapi.json') return;
    const schema = (route.schema ??= {});
    const response = ((schema as { response?: Record<string, unknown> }).response ??= {});
    const table = route.url.startsWith('/v1') ? API_ERRORS : OPS_ERRORS;
    for (const [status, description] of Object.entries(table)) {
      response[status] ??= { ...PROBLEM, description };
    }
  });
}

type OpenApiDoc = { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };

/** Errors are sent as `application/problem+json` (OAuth's excepted): the document says so (the route schemas can only say JSON). */
export function problemMediaTypes<T extends OpenApiDoc>(doc: T): T {
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    // OAuth endpoints answer errors as RFC 6749 says: `{error, error_description}` in application/json.
    if (path.startsWith('/oauth/')) continue;
    for (const op of Object.values(ops)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const [first] = Object.values(response.content ?? {});
        if (Number(status) >= 400 && first) response.content = { 'application/problem+json': first };
      }
    }
  }
  return doc;
}

/** What the document gains after the routes have built it, in order. */
const finish = (doc: object) =>
  addExamples(describeResponses(nameSchemas(declareWebhooks(declareHeaders(problemMediaTypes(mergeDocumentOnly(doc) as OpenApiDoc) as HeaderedDoc)))));

export async function registerOpenApi(app: FastifyInstance, publicUrl: string) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Landlord API',
        version: '1.0.0',
        license: { name: 'MIT', identifier: 'MIT' },
        description: [
          'Tenant management: organizations, tenants, API keys.',
          '',
          'Conventions: JSON bodies with camelCase fields; strict bodies (unknown fields are 422 `UNKNOWN_FIELD`,',
          'read-only ones 422 `READ_ONLY`); every error is `application/problem+json` with a stable `code`;',
          'every response carries `X-Request-Id`; single resources carry a strong `ETag` and `PUT`/`PATCH`/`DELETE` honour `If-Match`;',
          'every `POST` honours `Idempotency-Key` (1-255 characters, kept 24 h per credential; replays carry `Idempotent-Replayed: true`).',
          'Query strings are as strict as bodies: an unknown parameter is 422 `UNKNOWN_FIELD`. A problem lists at most 100 field errors;',
          'a body of more than 20,000 values that fails validation is reported by its first error.',
          'The stored response of an idempotent `POST` commits in the same transaction as its change; if it cannot, the answer is 503 and nothing changed.',
          '`Authorization: Token <x>` is accepted as an alias of `Bearer <x>`.',
          '',
          'Requests that are not valid HTTP are answered before routing: 431 `HEADERS_TOO_LARGE`, 408 `REQUEST_TIMEOUT`, 400 `BAD_REQUEST`.',
          'Each credential may make a number of `/v1` requests a minute (a token bucket, counted across every API process when the service',
          'shares it through Redis); answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`, and an empty bucket is 429 `RATE_LIMITED` with `Retry-After`.',
          'Sign-in and `/oauth/token` attempts are counted before the secret is checked: an address is refused (429) after 10 failures in',
          '15 minutes, and after 5 against one account or client; accounts are never locked, only slowed.',
          'Access tokens carry `kv`, the fingerprint of the key secret that minted them, and stop when that secret is rotated out.',
        ].join('\n'),
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key secret (`lk_…`) or the root key' },
          clientBasic: { type: 'http', scheme: 'basic', description: 'OAuth client authentication: API key id and secret' },
        },
      },
      security: [{ bearer: [] }],
    },
    transformObject: (document) => ('openapiObject' in document ? (finish(document.openapiObject) as typeof document.openapiObject) : document.swaggerObject),
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: true } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
