import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { Nullable, Timestamp } from '../../lib/schemas.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventService } from './event.service.js';
import { operationId } from '../../operations.js';

const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  sequence: Type.Integer({ description: 'Increasing per tenant (per organization for events without a tenant)' }),
  createdAt: Timestamp,
  organizationId: Type.String(),
  tenantId: Nullable(Type.String()),
  data: Type.Object({ object: Type.Unknown(), previous: Type.Optional(Type.Unknown()) }),
});

const AuditSchema = Type.Object({
  id: Type.String(),
  occurredAt: Timestamp,
  organizationId: Nullable(Type.String()),
  tenantId: Nullable(Type.String()),
  actor: Type.Object({ type: Type.String({ description: 'root, api_key, user, system or anonymous' }), id: Nullable(Type.String()) }),
  credentialId: Nullable(Type.String()),
  action: Type.String({ description: 'Operation name, e.g. tenant.update, auth.login' }),
  target: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  changes: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'Changed fields as {field: {from, to}}; secrets never appear' })),
});

export const eventRoutes: FastifyPluginAsync<{ events: EventService; audit: AuditService }> = async (fastify, { events, audit }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/events', {
    schema: {
      operationId: operationId('event.list'),
      tags: ['Events'],
      summary: 'The event stream, oldest first',
      description:
        'Follow `next` to read on; it is present whenever there is a position to continue from, so a consumer can poll it. An empty page means you are caught up.',
      querystring: Type.Object({
        after: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from `next`' })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
        type: Type.Optional(Type.String({ maxLength: 1000, description: 'One type or a comma-separated list' })),
        tenantId: Type.Optional(Type.String({ maxLength: 64 })),
        organizationId: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      response: { 200: Type.Object({ results: Type.Array(EventSchema), next: Nullable(Type.String()) }) },
    },
    handler: async (request) => {
      const page = await events.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });
  app.get('/audit-logs', {
    schema: {
      operationId: operationId('audit.list'),
      tags: ['Audit log'],
      summary: 'Who did what, newest first',
      querystring: Type.Object({
        cursor: Type.Optional(Type.String({ maxLength: 200 })),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        tenantId: Type.Optional(Type.String({ maxLength: 64 })),
        actorId: Type.Optional(Type.String({ maxLength: 64 })),
        action: Type.Optional(Type.String({ maxLength: 64 })),
        from: Type.Optional(Type.String({ format: 'date-time' })),
        to: Type.Optional(Type.String({ format: 'date-time' })),
        organizationId: Type.Optional(Type.String({ maxLength: 64 })),
      }),
      response: { 200: Type.Object({ results: Type.Array(AuditSchema), next: Nullable(Type.String()) }) },
    },
    handler: async (request) => {
      const page = await audit.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });
};
