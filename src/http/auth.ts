import type { FastifyInstance, FastifyRequest } from 'fastify';
import { safeEqual, sha256Base64Url } from '../lib/crypto.js';
import type { Principal } from '../modules/access/principal.js';
import { SESSION_COOKIE, type Authenticator } from '../modules/credentials/authenticator.js';
import { errors } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // A value that is not valid percent-encoding is no credential at all (not a 500).
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The anti-CSRF token that goes with a session: derived from it, so nothing more is stored. */
export function csrfTokenFor(sessionValue: string): string {
  return sha256Base64Url(`csrf:${sessionValue}`).slice(0, 32);
}

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
