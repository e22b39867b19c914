import type { FastifyInstance } from 'fastify';
import { errors } from '../lib/errors.js';
import { UNSTORABLE } from '../lib/validation.js';

/**
 * Query strings are as strict as bodies: a parameter no route declares is 422 `UNKNOWN_FIELD`
 * (a typo such as `?isactive=false` must not silently list everything). Routes without a query
 * schema get an empty strict one; object schemas that do not say otherwise become strict.
 */
export function registerStrictQuery(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = (route.schema ??= {}) as { querystring?: Record<string, unknown>; hide?: boolean };
    if (!schema.querystring) schema.querystring = { type: 'object', properties: {}, additionalProperties: false };
    else if (schema.querystring.additionalProperties === undefined) schema.querystring = { ...schema.querystring, additionalProperties: false };
  });
  // NUL and lone surrogates: PostgreSQL cannot hold them, so a query value carrying one is the
  // client's mistake (422 on that parameter), not a database error.
  app.addHook('preValidation', (request, _reply, done) => {
    const query = request.query as Record<string, unknown> | undefined;
    for (const [key, value] of Object.entries(query ?? {})) {
      const values = Array.isArray(value) ? value : [value];
      if (UNSTORABLE.test(key) || values.some((v) => typeof v === 'string' && UNSTORABLE.test(v))) {
        return done(errors.field(key, 'BAD_FORMAT', 'must not contain NUL characters or unpaired surrogates'));
      }
    }
    done();
  });
}
