import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams, Timestamp } from '../../lib/schemas.js';
import type { OrganizationService } from './organization.service.js';
import { operationId } from '../../operations.js';

const OrganizationSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    slug: Type.String(),
    tenantCount: Type.Integer(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Organization' },
);
export { OrganizationSchema };

const Ref = Type.Ref('Organization');
const Slug = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,62}$',
  'x-error-code': 'BAD_SLUG',
  'x-pattern-message': 'must be 1-63 characters of a-z, 0-9, - and _, starting with a letter or digit',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });
const tags = ['Organizations'];
const readOnly = { additionalProperties: false, 'x-read-only': ['id', 'tenantCount', 'createdAt', 'updatedAt'] };

export const organizationRoutes: FastifyPluginAsync<{ organizations: OrganizationService }> = async (fastify, { organizations }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/organizations', {
    schema: {
      operationId: operationId('organization.create'),
      tags,
      summary: 'Create an organization (superadmin)',
      body: Type.Object({ name: Name, slug: Type.Optional(Slug) }, readOnly),
      response: { 201: Ref },
    },
    handler: async (request, reply) => {
      const org = await organizations.create(request.principal, request.body);
      return reply.code(201).header('location', `/v1/organizations/${org.id}`).send(org);
    },
  });

  app.get('/organizations', {
    schema: { operationId: operationId('organization.list'), tags, summary: 'List organizations (superadmin)', response: { 200: Type.Object({ results: Type.Array(Ref) }) } },
    handler: async (request) => ({ results: await organizations.list(request.principal) }),
  });

  app.get('/organizations/me', {
    schema: { operationId: operationId('organization.me'), tags, summary: "The caller's organization", response: { 200: Ref } },
    handler: async (request) => organizations.me(request.principal),
  });

  app.get('/organizations/:id', {
    schema: { operationId: operationId('organization.get'), tags, summary: 'Retrieve an organization', params: IdParams, response: { 200: Ref } },
    handler: async (request) => organizations.get(request.principal, request.params.id),
  });

  app.patch('/organizations/:id', {
    schema: {
      operationId: operationId('organization.update'),
      tags,
      summary: 'Update an organization (superadmin)',
      params: IdParams,
      body: Type.Object({ name: Type.Optional(Name), slug: Type.Optional(Slug) }, readOnly),
      response: { 200: Ref },
    },
    handler: async (request) => organizations.update(request.principal, request.params.id, request.body),
  });

  app.delete('/organizations/:id', {
    schema: {
      operationId: operationId('organization.delete'),
      tags,
      summary: 'Delete an organization (superadmin)',
      description: 'Refused with 409 while it has tenants, and always for the default organization.',
      params: IdParams,
      response: { 204: Type.Null() },
    },
    handler: async (request, reply) => {
      await organizations.remove(request.principal, request.params.id);
      return reply.code(204).send(null);
    },
  });
};
