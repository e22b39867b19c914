import type { FastifyInstance } from 'fastify';
import { safeEqual } from '../lib/crypto.js';
import type { Principal } from '../modules/access/principal.js';
import type { Authenticator } from '../modules/auth/authenticator.js';
import { SESSION_COOKIE, csrfTokenFor, readCookie } from '../modules/auth/session-cookie.js';
import { errors } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates every request of the encapsulated context it is registered in. A session cookie
 * is only accepted for state-changing calls together with its `X-CSRF-Token`, so another site
 * cannot make a signed-in browser act.
 */
export function registerAuth(app: FastifyInstance, authenticate: Authenticator) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    const session = request.headers.authorization ? undefined : readCookie(request, SESSION_COOKIE);
    const principal = await authenticate({ authorization: request.headers.authorization, session });
    const userAgent = request.headers['user-agent'];
    request.principal = { ...principal, request: { id: String(request.id), ip: request.ip, userAgent: userAgent ? userAgent.slice(0, 500) : null } };
    if (session && !SAFE_METHODS.has(request.method)) {
      const given = request.headers['x-csrf-token'];
      if (typeof given !== 'string' || !safeEqual(given, csrfTokenFor(session))) {
        throw errors.forbidden('A signed-in browser must send X-CSRF-Token with state-changing requests');
      }
    }
  });
}
