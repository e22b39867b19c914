import type { FastifyInstance } from 'fastify';
import type { Principal } from '../modules/access/principal.js';
import type { Authenticator } from '../modules/credentials/authenticator.js';
import { errors } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Authenticates every request of the encapsulated context it is registered in. */
export function registerAuth(app: FastifyInstance, authenticate: Authenticator) {
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (request) => {
    request.principal = await authenticate(request.headers.authorization);
  });
}

export function requirePrincipal(principal: Principal | null | undefined): Principal {
  if (!principal) throw errors.unauthorized();
  return principal;
}
