import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Registry } from 'prom-client';
import { isSchemaCurrent, type Db } from '../../db/create-db.js';
import { errors } from '../../lib/errors.js';
import { safeEqual, sha256 } from '../../lib/crypto.js';
import { parseAuthorization } from '../../lib/authorization.js';
import { operationId } from '../../operations.js';

const tags = ['Operations'];

/** /readyz answers within this, whatever the database does (a load balancer's probe must not hang). */
const READY_TIMEOUT_MS = 1500;

function withinTime<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export const systemRoutes: FastifyPluginAsync<{ database: Db; registry: Registry; isClosing: () => boolean; metricsToken: string | null }> = async (
  app,
  { database, registry, isClosing, metricsToken },
) => {
  app.get('/healthz', {
    schema: {
      operationId: operationId('system.health'),
      tags,
      summary: 'The process is up',
      description: '200 while the process runs, whatever the database does: for a liveness probe. Needs no credential.',
      response: { 200: Type.Object({ status: Type.Literal('ok') }) },
    },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    schema: {
      operationId: operationId('system.ready'),
      tags,
      summary: 'The database is reachable and migrated',
      description:
        "200 when the database answers and every migration is applied; 503 within 1.5 s otherwise (a stalled database never hangs the probe). For a load balancer's readiness check.",
      response: { 200: Type.Object({ status: Type.Literal('ready') }) },
    },
    handler: async () => {
      if (isClosing()) throw errors.unavailable('Shutting down');
      if (database.health()?.down) throw errors.unavailable('The database is unreachable');
      let current = false;
      try {
        current = await withinTime(isSchemaCurrent(database.db), READY_TIMEOUT_MS);
      } catch {
        throw errors.unavailable('The database is unreachable');
      }
      if (!current) throw errors.unavailable('Migrations are not applied');
      return { status: 'ready' as const };
    },
  });

  app.get('/metrics', {
    schema: {
      operationId: operationId('system.metrics'),
      tags,
      summary: 'Prometheus metrics',
      description:
        'On the API port, only with `LANDLORD_METRICS_TOKEN` as the Bearer credential; without credentials on `LANDLORD_METRICS_PORT` when that is set.',
      produces: ['text/plain'],
      response: { 200: Type.String(), 401: { $ref: 'Problem#', description: 'Without `LANDLORD_METRICS_TOKEN` as the Bearer credential (`UNAUTHORIZED`)' } },
    },
    handler: async (request, reply) => {
      const given = parseAuthorization(request.headers.authorization);
      if (!metricsToken || !given || !safeEqual(sha256(given), sha256(metricsToken))) {
        throw errors.unauthorized(
          metricsToken
            ? 'Send LANDLORD_METRICS_TOKEN as the Bearer credential'
            : 'Metrics are served on LANDLORD_METRICS_PORT, or here with LANDLORD_METRICS_TOKEN',
        );
      }
      reply.type(registry.contentType);
      return registry.metrics();
    },
  });
};
