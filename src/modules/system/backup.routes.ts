import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import type { Db } from '../../db/create-db.js';
import { errors } from '../../lib/errors.js';
import { authorize } from '../access/policy.js';
import { operationId } from '../../operations.js';

export const backupRoutes: FastifyPluginAsync<{ database: Db }> = async (app, { database }) => {
  app.get('/backup', {
    schema: {
      operationId: operationId('system.backup'),
      tags: ['Operations'],
      summary: 'A consistent copy of the embedded database (superadmins)',
      description:
        'The whole data dir of the embedded store as a gzipped tar, taken between two statements while the server keeps running: what `landlord backup <file>` fetches when a server owns the data dir, and `landlord restore <file>` loads into an empty one. It holds every secret the data dir holds (the secret key included): keep it as safe as the data dir. With PostgreSQL, 409 `NOT_EMBEDDED`: back up with `pg_dump`.',
      response: {
        200: {
          description: 'A gzipped tar of the data dir',
          content: { 'application/gzip': { schema: Type.Unsafe({ type: 'string', contentMediaType: 'application/gzip' }) } },
        },
      },
    },
    handler: async (request, reply) => {
      authorize(request.principal, 'system.backup');
      if (!database.dump) throw errors.conflict('NOT_EMBEDDED', 'This server runs on PostgreSQL: back it up with pg_dump');
      const copy = Buffer.from(await (await database.dump()).arrayBuffer());
      request.log.info({ bytes: copy.length }, 'backup taken');
      return reply
        .header('content-type', 'application/gzip')
        .header('content-disposition', `attachment; filename="landlord-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz"`)
        .header('cache-control', 'no-store')
        .send(copy);
    },
  });
};
