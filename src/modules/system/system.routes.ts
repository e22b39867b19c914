import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Registry } from 'prom-client';
import { isSchemaCurrent, type Db } from '../../db/create-db.js';
import { errors } from '../../http/errors.js';

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

export const systemRoutes: FastifyPluginAsync<{ database: Db; registry: Registry; isClosing: () => boolean }> = async (
  app,
  { database, registry, isClosing },
) => {
  app.get('/healthz', {
    schema: { operationId: 'system.health', tags, summary: 'The process is up', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });

  app.get('/readyz', {
    schema: {
      operationId: 'system.ready',
      tags,
      summary: 'The database is reachable and migrated',
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
    schema: { operationId: 'system.metrics', tags, summary: 'Prometheus metrics', produces: ['text/plain'], response: { 200: Type.String() } },
    handler: async (_request, reply) => {
      reply.type(registry.contentType);
      return registry.metrics();
    },
  });
};
