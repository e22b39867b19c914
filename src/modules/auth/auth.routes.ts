import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { errors } from '../../lib/errors.js';
import { ConsumeLinkBody, LoginBody, SessionSchema } from './auth.schemas.js';
import { SESSION_COOKIE, csrfTokenFor, readCookie, sessionCookie } from './session-cookie.js';
import type { SessionStart, SignInService } from './sign-in.service.js';
import { operationId } from '../../operations.js';

const tags = ['Sign-in'];
export const authRoutes: FastifyPluginAsync<{ signIn: SignInService; secureCookies: boolean }> = async (fastify, { signIn, secureCookies }) => {
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
      body: ConsumeLinkBody,
      response: { 200: SessionSchema },
    },
    handler: async (request, reply) => started(reply, await signIn.consumeLink(request.body.token, meta(request))),
  });

  app.get('/auth/session', {
    schema: {
      operationId: operationId('auth.session'),
      tags,
      security: [],
      summary: 'The signed-in user of this session cookie',
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

  app.post('/auth/logout', {
    schema: { operationId: operationId('auth.logout'), tags, security: [], summary: 'End this session', response: { 204: Type.Null() } },
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
