import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { randomToken } from '../../lib/crypto.js';
import { dashboardPaths } from '../../lib/dashboard-links.js';
import { AppError } from '../../lib/errors.js';
import { operationId } from '../../operations.js';
import { readCookie, sessionCookie } from '../auth/session-cookie.js';
import type { SignInService } from '../auth/sign-in.service.js';
import { SSO_ATTEMPT_TTL_MS, SsoError, type SsoSignIn } from './sso-sign-in.service.js';
import { SsoCallbackQuery, SsoLookupQuery, SsoStartQuery } from './sso.schemas.js';

const tags = ['Sign-in'];
/** The browser's binding secret: an attempt comes back only to the browser that started it. */
const BROWSER_COOKIE = 'landlord_sso';
const COOKIE_PATH = '/v1/auth/sso';

const redirectDescription =
  'Answers with a redirect, never an error body: on failure, 303 to `/dashboard/sign-in?sso_error=CODE`, where CODE is one of `SSO_NOT_CONFIGURED`, `SSO_STATE_INVALID`, `SSO_BROWSER_MISMATCH`, `SSO_PROVIDER_ERROR`, `SSO_PROVIDER_UNAVAILABLE`, `SSO_TOKEN_INVALID`, `SSO_EMAIL_MISSING`, `SSO_EMAIL_NOT_VERIFIED`, `SSO_EMAIL_DOMAIN`, `SSO_EMAIL_OTHER_TENANT`, `SSO_IDENTITY_CONFLICT`, `SSO_USER_INACTIVE`, `SSO_TENANT_INACTIVE`, `SSO_SEATS_FULL` or `UNAVAILABLE`.';

export const ssoSignInRoutes: FastifyPluginAsync<{ sso: SsoSignIn; signIn: Pick<SignInService, 'startFor'>; secureCookies: boolean }> = async (
  fastify,
  { sso, signIn, secureCookies },
) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const meta = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: String(request.id) });

  /** A failed sign-in goes back to the sign-in page, which says why; nothing else is set. */
  const failed = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    if (error instanceof SsoError) {
      request.log.info({ code: error.code, connectionId: error.connection?.id, reason: error.message }, 'single sign-on refused');
      return reply.header('cache-control', 'no-store').redirect(dashboardPaths.ssoFailed(error.code), 303);
    }
    if (error instanceof AppError && error.kind === 'unavailable') {
      return reply.header('cache-control', 'no-store').redirect(dashboardPaths.ssoFailed('UNAVAILABLE'), 303);
    }
    throw error;
  };

  app.get('/auth/sso/lookup', {
    schema: {
      operationId: operationId('auth.sso_lookup'),
      tags,
      security: [],
      summary: "Whether an email's domain signs in through its tenant's identity provider",
      description: 'For a sign-in page: `sso: true` when an enabled connection of an active tenant holds the domain. Says nothing of the address itself.',
      querystring: SsoLookupQuery,
      response: { 200: Type.Object({ sso: Type.Boolean() }) },
    },
    handler: async (request) => ({ sso: await sso.lookup(request.query.email) }),
  });

  app.get('/auth/sso/start', {
    schema: {
      operationId: operationId('auth.sso_start'),
      tags,
      security: [],
      summary: "Start signing in through the tenant's identity provider",
      description: `By \`email\` (its domain picks the connection) or \`connectionId\`. Redirects (302) to the provider's authorization endpoint: authorization code flow with PKCE (S256), \`state\` and \`nonce\`, bound to this browser by an httpOnly cookie for ten minutes. ${redirectDescription}`,
      querystring: SsoStartQuery,
      response: { 302: Type.Null({ description: 'To the identity provider' }), 303: Type.Null({ description: 'Back to the sign-in page, with `sso_error`' }) },
    },
    handler: async (request, reply) => {
      // One binding per browser, kept across attempts, so two tabs signing in at once both succeed.
      const known = readCookie(request, BROWSER_COOKIE);
      const browser = known && /^[\w-]{43}$/.test(known) ? known : randomToken(43);
      try {
        const location = await sso.start(request.query, browser);
        const cookie = [`${BROWSER_COOKIE}=${browser}`, `Path=${COOKIE_PATH}`, 'HttpOnly', 'SameSite=Lax', `Max-Age=${SSO_ATTEMPT_TTL_MS / 1000}`];
        if (secureCookies) cookie.push('Secure');
        return reply.header('set-cookie', cookie.join('; ')).header('cache-control', 'no-store').redirect(location.href, 302);
      } catch (error) {
        return failed(request, reply, error);
      }
    },
  });

  app.get('/auth/sso/callback', {
    schema: {
      operationId: operationId('auth.sso_callback'),
      tags,
      security: [],
      summary: 'Where the identity provider sends the browser back',
      description: `Checks \`state\` (known, unused, unexpired, started in this browser), exchanges the code with its PKCE verifier and validates the ID token (issuer, audience, signature through the provider's JWKS, expiry, nonce, algorithm). The user is the one this provider identity signed in as before, or the user of this tenant with the email, or a new user with the connection's \`defaultRole\` (an email of another tenant is refused, never merged). Then sets the session cookie, as \`/v1/auth/login\` does, and redirects (303) to the dashboard. ${redirectDescription}`,
      querystring: SsoCallbackQuery,
      response: { 303: Type.Null({ description: 'To the dashboard, signed in; or back to the sign-in page, with `sso_error`' }) },
    },
    handler: async (request, reply) => {
      const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
      try {
        const { userId, connectionId } = await sso.callback(search, readCookie(request, BROWSER_COOKIE), meta(request));
        const session = await signIn.startFor(userId, meta(request), 'auth.sso', { connectionId });
        const maxAgeSeconds = Math.floor((session.expiresAt.getTime() - Date.now()) / 1000);
        return reply
          .header('set-cookie', sessionCookie(session.token, { secure: secureCookies, maxAgeSeconds }))
          .header('cache-control', 'no-store')
          .redirect(dashboardPaths.home, 303);
      } catch (error) {
        return failed(request, reply, error);
      }
    },
  });
};
