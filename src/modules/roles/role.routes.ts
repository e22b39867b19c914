import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { operationId } from '../../operations.js';
import { RoleCreateBody, RoleKeyParams, RoleList, RoleOrganizationQuery, RolePatchBody } from './role.schemas.js';
import type { RoleService } from './role.service.js';

const tags = ['Roles'];
const Ref = Type.Ref('Role');

export const roleRoutes: FastifyPluginAsync<{ roles: RoleService }> = async (fastify, { roles }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/roles', {
    schema: {
      operationId: operationId('role.create'),
      tags,
      summary: 'Create a custom role (admins)',
      description:
        "A named set of `permissions` that users of the organization hold beside their base `role` (`roles` on the user). A permission is a Landlord scope, which opens that part of Landlord's API to the user's session (a member holding one acts as an owner would for it, within its tenant), or an application permission such as `content:post`, carried in the user's `permissions` and session tokens for the platform's own services. 409 `ROLE_KEY_OCCUPIED` when the key is taken; 422 `BAD_SCOPE` for a permission of neither kind.",
      body: RoleCreateBody,
      response: { 201: Ref },
    },
    handler: async (request, reply) => {
      const role = await roles.create(request.principal, request.body);
      return reply.code(201).header('location', `/v1/roles/${role.key}`).send(role);
    },
  });

  app.get('/roles', {
    schema: {
      operationId: operationId('role.list'),
      tags,
      summary: "List the organization's custom roles (admins)",
      description: "The organization's custom roles and the permissions each grants.",
      querystring: RoleOrganizationQuery,
      response: { 200: RoleList },
    },
    handler: async (request) => ({ results: await roles.list(request.principal, request.query.organizationId) }),
  });

  app.get('/roles/:key', {
    schema: {
      operationId: operationId('role.get'),
      tags,
      summary: 'Retrieve a custom role (admins)',
      description: 'One custom role by its key; 404 for one of another organization.',
      params: RoleKeyParams,
      querystring: RoleOrganizationQuery,
      response: { 200: Ref },
    },
    handler: async (request) => roles.get(request.principal, request.params.key, request.query.organizationId),
  });

  app.patch('/roles/:key', {
    schema: {
      operationId: operationId('role.update'),
      tags,
      summary: 'Update a custom role (admins)',
      description:
        "`permissions` replaces the list. Its holders' sessions have the new permissions on their next request; their session tokens issued before the change stop working (ask `POST /v1/auth/token` again).",
      params: RoleKeyParams,
      querystring: RoleOrganizationQuery,
      body: RolePatchBody,
      response: { 200: Ref },
    },
    handler: async (request) => roles.update(request.principal, request.params.key, request.body, request.query.organizationId),
  });

  app.delete('/roles/:key', {
    schema: {
      operationId: operationId('role.delete'),
      tags,
      summary: 'Delete a custom role (admins)',
      description:
        'Takes the role from every user holding it in the same transaction: their permissions shrink at once, and their session tokens stop working. One `role.deleted` event.',
      params: RoleKeyParams,
      querystring: RoleOrganizationQuery,
      response: { 204: Type.Null({ description: 'Deleted' }) },
    },
    handler: async (request, reply) => {
      await roles.remove(request.principal, request.params.key, request.query.organizationId);
      return reply.code(204).send(null);
    },
  });
};
