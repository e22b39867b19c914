import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.js';
import { OrganizationCreateBody, OrganizationPatchBody } from './organization.schemas.js';
import type { OrganizationService } from './organization.service.js';
import { operationId } from '../../operations.js';

const tags = ['Organizations'];
const Ref = Type.Ref('Organization');

export const organizationRoutes: FastifyPluginAsync<{ organizations: OrganizationService }> = async (fastify, { organizations }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/organizations', {
    schema: {
      operationId: operationId('organization.create'),
      tags,
      summary: 'Create an organization (superadmin)',
      description: 'A new organization, with its own tenants, plans, roles, keys and webhooks. Superadmins only.',
      body: OrganizationCreateBody,
      response: { 201: Ref },
    },
    handler: async (request, reply) => {
      const org = await organizations.create(request.principal, request.body);
      return reply.code(201).header('location', `/v1/organizations/${org.id}`).send(org);
    },
  });

  app.get('/organizations', {
    schema: {
      operationId: operationId('organization.list'),
      tags,
      summary: 'List organizations (superadmin)',
      description: 'Every organization of the deployment, oldest first. Superadmins only.',
      response: { 200: Type.Object({ results: Type.Array(Ref) }) },
    },
    handler: async (request) => ({ results: await organizations.list(request.principal) }),
  });

  app.get('/organizations/me', {
    schema: {
      operationId: operationId('organization.me'),
      tags,
      summary: "The caller's organization",
      description: 'The organization of the calling credential.',
      response: { 200: Ref },
    },
    handler: async (request) => organizations.me(request.principal),
  });

  app.get('/organizations/:id', {
    schema: {
      operationId: operationId('organization.get'),
      tags,
      summary: 'Retrieve an organization',
      description: 'One organization: superadmins any, admins their own (another is 404).',
      params: IdParams,
      response: { 200: Ref },
    },
    handler: async (request) => organizations.get(request.principal, request.params.id),
  });

  app.patch('/organizations/:id', {
    schema: {
      operationId: operationId('organization.update'),
      tags,
      summary: 'Update an organization (superadmin)',
      description: 'Renames an organization. Superadmins only.',
      params: IdParams,
      body: OrganizationPatchBody,
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
