import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import sjson from 'secure-json-parse';
import type { Deps } from './deps.js';
import { registerAuth } from './http/auth.js';
import { registerErrorHandler } from './http/error-handler.js';
import { errors } from './http/errors.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerMetrics } from './http/metrics.js';
import { registerNotFound } from './http/method-not-allowed.js';
import { addErrorResponses, registerOpenApi } from './http/openapi.js';
import { ProblemSchema } from './http/schemas.js';
import { unstorableTextField, validatorCompiler } from './http/validation.js';
import { organizationApiKeyRoutes, tenantApiKeyRoutes, ApiKeySchema } from './modules/credentials/api-key.routes.js';
import { organizationRoutes, OrganizationSchema } from './modules/organizations/organization.routes.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { systemRoutes } from './modules/system/system.routes.js';
import { tenantRoutes } from './modules/tenants/tenant.routes.js';
import { TenantSchema } from './modules/tenants/tenant.schemas.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Collect process-wide metrics (only one app per process should). */
  processMetrics?: boolean;
}

/** Builds the HTTP application; never listens and never reads the environment. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  });
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  app.setValidatorCompiler(validatorCompiler);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // JSON only: an empty body counts as no body (POST actions without input), anything else must parse.
  app.removeAllContentTypeParsers();
  const parseJson = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    if (body === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = sjson.parse(body as string, undefined, { protoAction: 'remove', constructorAction: 'remove' });
    } catch {
      return done(errors.malformedJson(), undefined);
    }
    const unstorable = unstorableTextField(body as string, parsed);
    if (unstorable !== null) {
      return done(errors.field(unstorable, 'BAD_FORMAT', 'must not contain NUL characters or unpaired surrogates'), undefined);
    }
    done(null, parsed);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]*\+json$/, { parseAs: 'string' }, parseJson);

  for (const schema of [ProblemSchema, TenantSchema, OrganizationSchema, ApiKeySchema]) app.addSchema(schema);
  addErrorResponses(app);
  registerErrorHandler(app);
  registerNotFound(app);
  const registry = registerMetrics(app, { processMetrics: options.processMetrics ?? false });
  await registerOpenApi(app, deps.config.publicUrl);

  await app.register(systemRoutes, { db: deps.database.db, registry, isClosing: () => closing });
  await app.register(oauthRoutes, { oauth: deps.oauth });

  await app.register(
    async (v1) => {
      registerAuth(v1, deps.authenticate);
      registerIdempotency(v1, { db: deps.database.db, clock: deps.clock, secretBox: deps.secretBox });
      await v1.register(organizationRoutes, { organizations: deps.organizations });
      await v1.register(organizationApiKeyRoutes, { apiKeys: deps.apiKeys });
      await v1.register(tenantRoutes, { tenants: deps.tenants });
      await v1.register(tenantApiKeyRoutes, { apiKeys: deps.apiKeys });
    },
    { prefix: '/v1' },
  );
  return app;
}
