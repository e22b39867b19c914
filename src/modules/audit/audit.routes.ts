import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AuditList, AuditListQuery } from './audit.schemas.js';
import { operationId } from '../../operations.js';
import type { AuditService } from './audit.service.js';

export const auditRoutes: FastifyPluginAsync<{ audit: AuditService }> = async (fastify, { audit }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/audit-logs', {
    schema: {
      operationId: operationId('audit.list'),
      tags: ['Audit log'],
      summary: 'Who did what, newest first',
      description:
        'Cursor pagination (follow `next`). The filters combine: `tenantId`, `actorId`, `from` (inclusive) and `to` (exclusive), and `action`, one action (`tenant.update`) or, ending in a dot, all those that start with it (`tenant.`). Owners see their tenant and its descendants, admins their organization.',
      querystring: AuditListQuery,
      response: { 200: AuditList },
    },
    handler: async (request) => {
      const page = await audit.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });
};
