import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../lib/errors.js';
import { safeEqual } from '../../lib/crypto.js';
import {
  AcceptInvitationBody,
  ConsumeLinkBody,
  LoginBody,
  PasswordResetBody,
  PasswordResetConfirmBody,
  SessionSchema,
  SessionTokenSchema,
} from './auth.schemas.js';
import type { PasswordReset } from './password-reset.js';
import { SESSION_COOKIE, csrfTokenFor, readCookie, sessionCookie } from './session-cookie.js';
import type { SessionStart, SignInService } from './sign-in.service.js';
import { operationId } from '../../operations.js';

const tags = ['Sign-in'];
/** Accepts an invitation (the invitations module): creates the user and answers its id. */
export type AcceptInvitation = (input: { token: string; name: string; password: string }) => Promise<string>;

export const authRoutes: FastifyPluginAsync<{
  signIn: SignInService;
  secureCookies: boolean;
  acceptInvitation: AcceptInvitation;
  passwordReset: Pick<PasswordReset, 'request' | 'confirm'>;
}> = async (fastify, { signIn, secureCookies, acceptInvitation, passwordReset }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const meta = (request: FastifyRequest) => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: String(request.id) });
  const started = (reply: FastifyReply, s: SessionStart) => {
    reply.header('set-cookie', sessionCookie(s.token, { secure: secureCookies, maxAgeSeconds: Math.floor((s.expiresAt.getTime() - Date.now()) / 1000) }));
    reply.header('cache-control', 'no-store');
    return { user: s.user, expiresAt: s.expiresAt.toISOString(), csrfToken: csrfTokenFor(s.token), plan: s.plan, features: s.features };
  };

  app.post('/auth/login', {
    schema: {
      operationId: operationId('auth.login'),
      tags,
      security: [],
      summary: 'Sign in with email and password',
      description: 'Sets an httpOnly SameSite session cookie. Repeated failures for an account or address are slowed, then refused with 429 and `Retry-After`.',
      body: LoginBody,
      response: { 200: SessionSchema },
    },
    handler: async (request, reply) => started(reply, await signIn.login(request.body.email, request.body.password, meta(request))),
  });

  app.post('/auth/sign-in-links/consume', {
    schema: {
      operationId: operationId('auth.sign_in_link'),
      tags,
      security: [],
      summary: 'Sign in with a one-time link token',
      description:
        'Spends the token of a `signInUrl` (15 minutes, once) and sets the session cookie, as `/v1/auth/login` does. 401 for a used, expired or unknown token; repeated failures from an address are refused with 429.',
      body: ConsumeLinkBody,
      response: { 200: SessionSchema },
    },
    handler: async (request, reply) => started(reply, await signIn.consumeLink(request.body.token, meta(request))),
  });

  app.post('/auth/invitations/accept', {
    schema: {
      operationId: operationId('invitation.accept'),
      tags,
      security: [],
      summary: 'Accept an invitation: create the user and sign in',
      description:
        "The token from the invitation link, the new user's name and password. Creates the user with the invited role and signs them in (session cookie and `csrfToken`, as `/v1/auth/login`). 410 `TOKEN_EXPIRED` for a used, revoked or expired link; 409 `EMAIL_OCCUPIED` when the email got a user meanwhile; 422 `WEAK_PASSWORD`.",
      body: AcceptInvitationBody,
      response: { 200: SessionSchema, 410: { $ref: 'Problem#', description: 'The link is used, revoked or expired (`TOKEN_EXPIRED`)' } },
    },
    handler: async (request, reply) => {
      const userId = await acceptInvitation(request.body);
      return started(reply, await signIn.startFor(userId, meta(request)));
    },
  });

  app.post('/auth/password-reset', {
    schema: {
      operationId: operationId('auth.password_reset_request'),
      tags,
      security: [],
      summary: 'Ask for a password reset link by mail',
      description:
        'Always 202, at once, whether or not the email has an account: when it does (and Landlord sends mail), a one-time link valid for 30 minutes is mailed to it (at most 3 in 15 minutes). Counted like failed sign-ins: an address past its budget gets 429. Without LANDLORD_SMTP_URL nothing is sent; an administrator or owner can hand out a sign-in link instead.',
      body: PasswordResetBody,
      response: { 202: Type.Object({ status: Type.Literal('accepted') }) },
    },
    handler: async (request, reply) => {
      await passwordReset.request(request.body.email, request.ip);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  });

  app.post('/auth/password-reset/confirm', {
    schema: {
      operationId: operationId('auth.password_reset'),
      tags,
      security: [],
      summary: 'Set a new password with a reset link, and sign in',
      description:
        'Sets the password, ends every other session of the user, and signs in (session cookie and `csrfToken`). 410 `TOKEN_EXPIRED` for a used or expired link; 422 `WEAK_PASSWORD`.',
      body: PasswordResetConfirmBody,
      response: { 200: SessionSchema, 410: { $ref: 'Problem#', description: 'The link is used or expired (`TOKEN_EXPIRED`)' } },
    },
    handler: async (request, reply) => {
      const userId = await passwordReset.confirm(request.body.token, request.body.password);
      return started(reply, await signIn.startFor(userId, meta(request)));
    },
  });

  app.get('/auth/session', {
    schema: {
      operationId: operationId('auth.session'),
      tags,
      security: [],
      summary: 'The signed-in user of this session cookie',
      description: "The user, expiry, `csrfToken` and the tenant's `plan` and `features` for the session cookie sent. 401 when there is none or it ended.",
      response: { 200: SessionSchema },
    },
    handler: async (request, reply) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (!token) throw errors.unauthorized('Not signed in');
      const s = await signIn.session(token);
      reply.header('cache-control', 'no-store');
      return { user: s.user, expiresAt: s.expiresAt.toISOString(), csrfToken: csrfTokenFor(token), plan: s.plan, features: s.features };
    },
  });

  app.post('/auth/token', {
    schema: {
      operationId: operationId('auth.token'),
      tags,
      security: [],
      summary: 'A short-lived token for the signed-in user (session cookie and X-CSRF-Token)',
      description:
        "For the platform's own backend to trust Landlord's users without calling back: a JWT signed with the keys of `/oauth/token` (verify it through `/.well-known/jwks.json`), for the user of this session, with its base `role`, custom `roles`, `permissions` and, for tenant users, the tenant's `plan` and `features`. `token_use: \"user\"` and a user id in `sub` tell it from an API key's token. As a Bearer credential on this API it acts as the session would, with the permissions it carries. It stops at once (401, and introspection answers `active: false`) when the user is deactivated or deleted, its permissions change, or its tenant is suspended or deleted. Needs the session cookie and its `X-CSRF-Token`, like every write made with the cookie.",
      response: { 200: SessionTokenSchema },
    },
    handler: async (request, reply) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (!token) throw errors.unauthorized('Not signed in');
      const given = request.headers['x-csrf-token'];
      if (typeof given !== 'string' || !safeEqual(given, csrfTokenFor(token))) {
        throw errors.forbidden('A signed-in browser must send X-CSRF-Token with state-changing requests');
      }
      const issued = await signIn.token(token, meta(request));
      reply.header('cache-control', 'no-store');
      return issued;
    },
  });

  app.post('/auth/logout', {
    schema: {
      operationId: operationId('auth.logout'),
      tags,
      security: [],
      summary: 'End this session',
      description: 'Ends the session of the cookie (send its `X-CSRF-Token`) and clears the cookie. 204 also without a session.',
      response: { 204: Type.Null() },
    },
    handler: async (request, reply) => {
      const token = readCookie(request, SESSION_COOKIE);
      if (token) {
        const given = request.headers['x-csrf-token'];
        if (given !== csrfTokenFor(token)) throw errors.forbidden('Send X-CSRF-Token to sign out');
        await signIn.logout(token);
      }
      reply.header('set-cookie', sessionCookie('', { secure: secureCookies, maxAgeSeconds: 0 }));
      return reply.code(204).send(null);
    },
  });
};
