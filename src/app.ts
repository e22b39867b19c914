import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import sjson from 'secure-json-parse';
import type { Deps } from './deps.js';
import { registerAuth } from './http/auth.js';
import { registerErrorHandler, sendProblem, toAppError } from './http/error-handler.js';
import { errors } from './lib/errors.js';
import { httpErrors } from './http/errors.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerMetrics } from './http/metrics.js';
import { registerPageLinks } from './http/links.js';
import { registerRateLimit } from './http/rate-limit.js';
import { createRateLimitStore } from './http/rate-limit-fail-open.js';
import { registerStrictQuery } from './http/strict-query.js';
import { serializeRequest } from './http/log-safety.js';
import { clientErrorHandler, serializeError } from './http/client-errors.js';
import { registerNotFound } from './http/method-not-allowed.js';
import { addErrorResponses, registerOpenApi } from './http/openapi.js';
import { ProblemSchema } from './lib/schemas.js';
import { validatorCompiler } from './http/validation.js';
import { unstorableTextField } from './lib/validation.js';
import { organizationApiKeyRoutes, tenantApiKeyRoutes } from './modules/credentials/api-key.routes.js';
import { ApiKeySchema } from './modules/credentials/api-key.schemas.js';
import { organizationRoutes } from './modules/organizations/organization.routes.js';
import { OrganizationSchema } from './modules/organizations/organization.schemas.js';
import { planRoutes } from './modules/plans/plan.routes.js';
import { invitationRoutes } from './modules/invitations/invitation.routes.js';
import { InvitationSchema } from './modules/invitations/invitation.schemas.js';
import { EntitlementsSchema, PlanSchema } from './modules/plans/plan.schemas.js';
import { roleRoutes } from './modules/roles/role.routes.js';
import { RoleSchema } from './modules/roles/role.schemas.js';
import { ssoConnectionRoutes } from './modules/sso/sso.routes.js';
import { backupRoutes } from './modules/system/backup.routes.js';
import { auditExportRoutes } from './modules/audit/audit-export.routes.js';
import { ssoSignInRoutes } from './modules/sso/sso-sign-in.routes.js';
import { SsoConnectionSchema } from './modules/sso/sso.schemas.js';
import { oauthRoutes } from './modules/oauth/oauth.routes.js';
import { systemRoutes } from './modules/system/system.routes.js';
import { authRoutes } from './modules/auth/auth.routes.js';
import { dashboardPlugin } from './dashboard/plugin.js';
import { organizationUserRoutes, tenantUserRoutes } from './modules/users/user.routes.js';
import { UserSchema } from './modules/users/user.schemas.js';
import { eventRoutes } from './modules/events/event.routes.js';
import { auditRoutes } from './modules/audit/audit.routes.js';
import { tenantRoutes } from './modules/tenants/tenant.routes.js';
import { TenantSchema } from './modules/tenants/tenant.schemas.js';
import { webhookRoutes } from './modules/webhooks/webhook.routes.js';
import { AccessLog } from './http/access-log.js';
import { WebhookSchema } from './modules/webhooks/webhook.schemas.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** Collect process-wide metrics (only one app per process should). */
  processMetrics?: boolean;
}

/** Builds the HTTP application; never listens and never reads the environment. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Every logger gets the safe request serializer, whatever else the caller configured.
    logger:
      options.logger && typeof options.logger === 'object'
        ? {
            ...options.logger,
            serializers: { ...(options.logger as { serializers?: object }).serializers, req: serializeRequest as never, err: serializeError as never },
          }
        : (options.logger ?? false),
    // One line per request instead of Fastify's two.
    logController: new AccessLog(),
    bodyLimit: 1024 * 1024,
    // Behind a proxy, request.ip (audit entries, throttles, rate limits) comes from X-Forwarded-For.
    // (Fastify takes a hop count too, though its types list only booleans, strings and functions.)
    trustProxy: (Array.isArray(deps.config.trustProxy) ? [...deps.config.trustProxy] : deps.config.trustProxy) as FastifyServerOptions['trustProxy'],
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    clientErrorHandler,
    // Requests that reach a closing server get a 503 problem from the onRequest hook below.
    return503OnClosing: false,
    // Errors the router raises before any route runs are problems like every other error.
    frameworkErrors: (error, request, reply) =>
      void sendProblem(reply, error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? httpErrors.uriTooLong() : toAppError(error, request)),
    ajv: { customOptions: { removeAdditional: false } },
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.setValidatorCompiler(validatorCompiler);

  // Hooks on every request take a callback rather than returning a promise: cheaper on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done(closing ? errors.unavailable('The service is shutting down; retry the request') : undefined);
  });
  // While draining, every answer closes its connection: an idle keep-alive socket would hold up close() until it times out.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });

  // JSON only: an empty body counts as no body (POST actions without input), anything else must parse.
  app.removeAllContentTypeParsers();
  const parseJson = (_req: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    if (body === '') return done(null, undefined);
    let parsed: unknown;
    try {
      // Kept as own properties (JSON.parse never sets a prototype): strict schemas refuse them as
      // unknown fields, and metadata refuses them by name; silently removing them lost data.
      parsed = sjson.parse(body as string, undefined, { protoAction: 'ignore', constructorAction: 'ignore' });
    } catch {
      return done(httpErrors.malformedJson(), undefined);
    }
    const unstorable = unstorableTextField(body as string, parsed);
    if (unstorable !== null) {
      return done(errors.field(unstorable, 'BAD_FORMAT', 'must not contain NUL characters or unpaired surrogates'), undefined);
    }
    done(null, parsed);
  };
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]*\+json$/, { parseAs: 'string' }, parseJson);

  for (const schema of [
    ProblemSchema,
    EntitlementsSchema,
    TenantSchema,
    PlanSchema,
    InvitationSchema,
    RoleSchema,
    SsoConnectionSchema,
    OrganizationSchema,
    ApiKeySchema,
    UserSchema,
    WebhookSchema,
  ])
    app.addSchema(schema);
  addErrorResponses(app);
  registerErrorHandler(app);
  registerNotFound(app);
  const registry = registerMetrics(app, { processMetrics: options.processMetrics ?? false, database: deps.database, clock: deps.clock });
  await registerOpenApi(app, deps.config.publicUrl);
  // Redis when configured (connected once the app is ready, closed with it), else this process's memory.
  const rateLimits = createRateLimitStore({ redisUrl: deps.config.redisUrl, clock: deps.clock, log: app.log, registry });
  app.addHook('onReady', () => rateLimits.ready());
  app.addHook('onClose', () => rateLimits.close());

  await app.register(systemRoutes, { database: deps.database, registry, isClosing: () => closing, metricsToken: deps.config.metricsToken });
  await app.register(oauthRoutes, { oauth: deps.oauth });

  await app.register(authRoutes, {
    prefix: '/v1',
    signIn: deps.signIn,
    secureCookies: deps.config.publicUrl.startsWith('https:'),
    acceptInvitation: (input) => deps.invitations.accept(input),
    passwordReset: deps.passwordReset,
  });
  await app.register(ssoSignInRoutes, { prefix: '/v1', sso: deps.sso, signIn: deps.signIn, secureCookies: deps.config.publicUrl.startsWith('https:') });
  await app.register(dashboardPlugin, { prefix: '/dashboard' });
  await app.register(
    async (v1) => {
      registerStrictQuery(v1);
      registerPageLinks(v1, deps.config.publicUrl);
      registerAuth(v1, deps.authenticate);
      registerRateLimit(v1, {
        perMinute: deps.config.rateLimitPerMinute,
        store: rateLimits,
        tenantBudget: (principal) => deps.budgets.requestsPerMinute(principal.tenantId!),
      });
      registerIdempotency(v1, { database: deps.database, clock: deps.clock, secretBox: deps.secretBox });
      await v1.register(organizationRoutes, { organizations: deps.organizations });
      await v1.register(organizationApiKeyRoutes, { apiKeys: deps.apiKeys });
      await v1.register(planRoutes, { plans: deps.plans });
      await v1.register(roleRoutes, { roles: deps.roles });
      await v1.register(tenantRoutes, { tenants: deps.tenants });
      await v1.register(tenantApiKeyRoutes, { apiKeys: deps.apiKeys });
      await v1.register(tenantUserRoutes, { users: deps.users });
      await v1.register(invitationRoutes, { invitations: deps.invitations });
      await v1.register(ssoConnectionRoutes, { connections: deps.ssoConnections });
      await v1.register(backupRoutes, { database: deps.database });
      await v1.register(organizationUserRoutes, { users: deps.users });
      await v1.register(eventRoutes, { events: deps.events });
      await v1.register(auditRoutes, { audit: deps.audit });
      await v1.register(auditExportRoutes, { audit: deps.audit });
      await v1.register(webhookRoutes, { webhooks: deps.webhooks });
    },
    { prefix: '/v1' },
  );
  return app;
}
