import type { FastifyInstance } from 'fastify';

type HTTPMethods = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
import FindMyWay from 'find-my-way';
import { errors } from '../lib/errors.js';
import { httpErrors } from './errors.js';
import { sendProblem } from './error-handler.js';

const METHODS: HTTPMethods[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/**
 * Fastify answers an unknown method on a known path with 404; the contract wants 405 with
 * `Allow`. A shadow router of every registered path tells the two cases apart.
 */
export function registerNotFound(app: FastifyInstance) {
  const shadow = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = [route.method].flat() as HTTPMethods[];
    for (const method of methods) {
      if (METHODS.includes(method) && !shadow.find(method, route.url)) shadow.on(method, route.url, () => {});
    }
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    const allow: string[] = METHODS.filter((m) => shadow.find(m, path) !== null);
    // A route that matched and then declared "not found" (reply.callNotFound) is a 404, not a 405.
    const matchedRoute = request.routeOptions.url !== undefined;
    if (allow.length > 0 && !matchedRoute) {
      if (allow.includes('GET')) allow.push('HEAD');
      return sendProblem(reply, httpErrors.methodNotAllowed(allow));
    }
    return sendProblem(reply, errors.notFound(`No route for ${request.method} ${path}`));
  });
}
