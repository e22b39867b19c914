import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Registry } from 'prom-client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { isSchemaCurrent } from '../../db/create-db.js';
import { errors } from '../../http/errors.js';

const tags = ['Operations'];

export const systemRoutes: FastifyPluginAsync<{ db: Kysely<Database>; registry: Registry; isClosing: () => boolean }> = async (
  app,
  { db, registry, isClosing },
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
      let current = false;
      try {
        current = await isSchemaCurrent(db);
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
