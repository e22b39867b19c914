import type { OwnerRef } from '../access/ownership.js';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { OrganizationUserCreateBody, SignInLinkSchema, TenantUserCreateBody, UserPatchBody } from './user.schemas.js';
import type { UserService } from './user.service.js';
import { dashboardPaths } from '../../lib/dashboard-links.js';
import { operationId } from '../../operations.js';

const tags = ['Users'];
const UserRef = Type.Ref('User');
const Id = Type.String({ maxLength: 64 });

function userRoutes(kind: 'tenants' | 'organizations'): FastifyPluginAsync<{ users: UserService }> {
  const owner = kind === 'tenants' ? 'tenant' : 'organization';
  const target = (id: string): OwnerRef => (kind === 'tenants' ? { tenantId: id } : { organizationId: id });
  const where = kind === 'tenants' ? 'a tenant (owners and members)' : 'an organization (admins)';
  return async (fastify, { users }) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const base = `/${kind}/:id/users`;
    app.post(base, {
      schema: {
        operationId: operationId('user.create', owner),
        tags,
        summary: `Create a user in ${where}`,
        description: 'Emails are unique in the deployment (`EMAIL_OCCUPIED`); passwords are write-only (`WEAK_PASSWORD` when too weak).',
        params: Type.Object({ id: Id }),
        body: kind === 'tenants' ? TenantUserCreateBody : OrganizationUserCreateBody,
        response: { 201: UserRef },
      },
      handler: async (request, reply) => {
        const user = await users.create(request.principal, target(request.params.id), request.body);
        return reply
          .code(201)
          .header('location', `/v1${base.replace(':id', request.params.id)}/${user.id}`)
          .send(user);
      },
    });
    app.get(base, {
      schema: {
        operationId: operationId('user.list', owner),
        tags,
        summary: `List the users of ${where}`,
        description:
          owner === 'tenant'
            ? "The tenant's users, oldest first, with their base role, custom roles and effective permissions."
            : "The organization's admins and superadmins, oldest first.",
        params: Type.Object({ id: Id }),
        response: { 200: Type.Object({ results: Type.Array(UserRef) }) },
      },
      handler: async (request) => ({ results: await users.list(request.principal, target(request.params.id)) }),
    });
    const one = Type.Object({ id: Id, userId: Id });
    app.get(`${base}/:userId`, {
      schema: {
        operationId: operationId('user.get', owner),
        tags,
        summary: 'Retrieve a user',
        description:
          owner === 'tenant' ? 'One user of the tenant; a user of another tenant is 404.' : 'One admin of the organization; a user elsewhere is 404.',
        params: one,
        response: { 200: UserRef },
      },
      handler: async (request) => users.get(request.principal, target(request.params.id), request.params.userId),
    });
    app.patch(`${base}/:userId`, {
      schema: {
        operationId: operationId('user.update', owner),
        tags,
        summary: 'Update a user',
        description: 'Deactivating a user or changing their password ends their sessions. A tenant with users keeps one owner (`LAST_OWNER`).',
        params: one,
        body: UserPatchBody,
        response: { 200: UserRef },
      },
      handler: async (request) => users.update(request.principal, target(request.params.id), request.params.userId, request.body),
    });
    app.delete(`${base}/:userId`, {
      schema: {
        operationId: operationId('user.delete', owner),
        tags,
        summary: 'Delete a user; their sessions end at once',
        description:
          owner === 'tenant'
            ? 'Removes the user; their sessions and user tokens stop at once. The last owner of a tenant with other users cannot be deleted (409).'
            : 'Removes the admin; their sessions and user tokens stop at once.',
        params: one,
        response: { 204: Type.Null() },
      },
      handler: async (request, reply) => {
        await users.remove(request.principal, target(request.params.id), request.params.userId);
        return reply.code(204).send(null);
      },
    });
    app.post(`${base}/:userId/sign-in-links`, {
      schema: {
        operationId: operationId('user.sign_in_link', owner),
        tags,
        summary: 'Create a one-time dashboard sign-in link (15 minutes)',
        description: 'Mailed to the user when LANDLORD_SMTP_URL is set (the response says `sentTo`); otherwise returned once as `url`.',
        params: one,
        response: { 201: SignInLinkSchema },
      },
      handler: async (request, reply) => {
        const link = await users.signInLink(request.principal, target(request.params.id), request.params.userId);
        const sent = link.token ? { url: request.publicUrl(dashboardPaths.signIn(link.token)) } : { sentTo: link.sentTo };
        return reply.code(201).send({ ...sent, expiresAt: link.expiresAt });
      },
    });
  };
}

export const tenantUserRoutes = userRoutes('tenants');
export const organizationUserRoutes = userRoutes('organizations');
