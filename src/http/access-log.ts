import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Principal } from '../modules/access/principal.js';
import { redactUrl } from './log-safety.js';

// A file under /dashboard (a script, a stylesheet, an image): the page itself is logged, its assets only at debug.
const ASSET = /^\/dashboard\/.+\.[a-z0-9]+(\?|$)/i;

/**
 * One access-log line per request, once it is answered: method, redacted URL, route, status,
 * duration and the principal (a credential id, never a secret), instead of Fastify's two lines
 * ("incoming request", "request completed"). At debug, also the moment a request arrives (what
 * is in flight when something stalls).
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (request.log.level === 'debug' || request.log.level === 'trace')
      request.log.debug({ method: request.method, url: redactUrl(request.url) }, 'request received');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const status = reply.statusCode;
    const level = error || status >= 500 ? 'error' : ASSET.test(request.url) && status < 400 ? 'debug' : 'info';
    const principal = (request as { principal?: Principal | null }).principal;
    request.log[level](
      {
        method: request.method,
        url: redactUrl(request.url),
        route: request.routeOptions.url ?? null,
        status,
        durationMs: Math.round(reply.elapsedTime * 10) / 10,
        principal: principal?.id ?? null,
        ...(error ? { err: error } : {}),
      },
      'request',
    );
  }
}
