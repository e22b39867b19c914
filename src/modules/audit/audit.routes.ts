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
        "One entry per change and sign-in: who (`actor`, and the credential used), what (`action`, an operation name such as `tenant.update`), on what (`target`), from where (`ip`, `userAgent`, `requestId`) and the fields changed (never a secret). Owners see their tenant and its descendants, admins their organization, superadmins every organization (`organizationId` narrows). The filters combine: `tenantId`, `actorId`, `from` (inclusive) to `to` (exclusive), and `action`, one action (`tenant.update`) or, ending in a dot, every action that starts with it (`tenant.`). Follow `next` for older entries (`limit` 1-200, default 50). 403 without `audit:read`; 404 for another organization's `organizationId`; 422 `BAD_FORMAT` for a cursor this API did not return.",
      querystring: AuditListQuery,
      response: { 200: AuditList },
    },
    handler: async (request) => {
      const page = await audit.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });
};
