import { operationId } from '../../operations.js';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { validateBody } from '../../lib/validation.js';
import { IdParams } from '../../lib/schemas.js';
import { tenantEtag } from './tenant.js';
import type { TenantService } from './tenant.service.js';
import type { CreatedTenant } from './tenant-create.js';
import { dashboardPaths } from '../../lib/dashboard-links.js';
import {
  TenantBatchBody,
  TenantBatchResult,
  TenantCreateBody,
  type TenantCreateInput,
  TenantCreatedSchema,
  TenantExportSchema,
  TenantList,
  TenantListQuery,
  TenantPatchBody,
  TenantPutBody,
} from './tenant.schemas.js';

const TenantRef = Type.Ref('Tenant');
const tags = ['Tenants'];

/** The tenant as created, with the link to its dashboard and the one-time secrets of its extras. */
function createdBody(request: FastifyRequest, { tenant, extras }: CreatedTenant) {
  const { signInToken, ...secrets } = extras;
  return {
    ...tenant,
    dashboardUrl: request.publicUrl(dashboardPaths.tenant(tenant.id)),
    ...(signInToken ? { signInUrl: request.publicUrl(dashboardPaths.signIn(signInToken)) } : {}),
    ...secrets,
  };
}

export const tenantRoutes: FastifyPluginAsync<{ tenants: TenantService }> = async (fastify, { tenants }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/tenants', {
    schema: {
      operationId: operationId('tenant.create'),
      tags,
      summary: 'Create a tenant',
      description: 'Creates a tenant and, in the same transaction, the extras it asks for (`apiKey`). Secrets in the response are shown only once.',
      body: TenantCreateBody,
      response: { 201: TenantCreatedSchema },
    },
    handler: async (request, reply) => {
      const created = await tenants.create(request.principal, request.body);
      // The ETag is the one GET will give: the tenant without the one-time extras.
      reply.header('location', `/v1/tenants/${created.tenant.id}`).header('etag', tenantEtag(created.tenant));
      return reply.code(201).send(createdBody(request, created));
    },
  });

  app.post('/tenants/batch', {
    schema: {
      operationId: operationId('tenant.batch_create'),
      tags,
      summary: 'Create up to 100 tenants',
      description:
        'Each item is a create body. Results come back in input order. With `atomic: true` either all are created or none; the failing item carries its error and the others status 424.',
      body: TenantBatchBody,
      response: { 200: TenantBatchResult },
    },
    handler: async (request, reply) => {
      const items = request.body.items.map((item, i) => {
        const invalid = validateBody(TenantCreateBody, item, `items.${i}`);
        return invalid.length ? { invalid } : { input: item as TenantCreateInput };
      });
      const outcomes = await tenants.batch(request.principal, items, request.body.atomic ?? false);
      return {
        results: outcomes.map((o) => {
          if ('created' in o) return { status: 201, tenant: createdBody(request, o.created) };
          const error = reply.problemBody(o.error);
          return { status: error.status, error };
        }),
      };
    },
  });

  app.get('/tenants', {
    schema: {
      operationId: operationId('tenant.list'),
      tags,
      summary: 'List tenants',
      description: 'Cursor pagination by default (follow `next`); `page` switches to offset pages. Owners see only their own tenant.',
      querystring: TenantListQuery,
      response: { 200: TenantList },
    },
    handler: async (request) => {
      const page = await tenants.list(request.principal, request.query);
      return { ...page, next: request.pageLink(page.next), previous: request.pageLink(page.previous) };
    },
  });

  app.get('/tenants/me', {
    schema: {
      operationId: operationId('tenant.me'),
      tags,
      summary: "The caller's own tenant",
      description: '404 "No tenant assigned" for callers that do not belong to a tenant.',
      response: { 200: TenantRef },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.me(request.principal);
      return reply.header('etag', tenantEtag(tenant)).send(tenant);
    },
  });

  app.get('/tenants/me/entitlements', {
    schema: {
      operationId: operationId('tenant.entitlements'),
      tags,
      summary: "The caller's plan, features and limits",
      description:
        "What the caller's tenant is entitled to: its plan's features and limits with its own on top, key by key (the tenant's `entitlements`). Tokens and sessions carry `plan` and `features` too. 404 \"No tenant assigned\" for callers that do not belong to a tenant.",
      response: { 200: Type.Ref('Entitlements') },
    },
    handler: async (request) => tenants.entitlements(request.principal),
  });

  app.get('/tenants/:id', {
    schema: {
      operationId: operationId('tenant.get'),
      tags,
      summary: 'Retrieve a tenant',
      description:
        "The tenant with its status, hierarchy, plan and merged entitlements, owner and user count. Carries `ETag`. A tenant outside the caller's reach, or deleted, is 404.",
      params: IdParams,
      response: { 200: TenantRef },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.get(request.principal, request.params.id);
      return reply.header('etag', tenantEtag(tenant)).send(tenant);
    },
  });

  app.put('/tenants/:id', {
    schema: {
      operationId: operationId('tenant.replace'),
      tags,
      summary: 'Replace a tenant',
      description: 'All writable fields; absent optional fields reset to their defaults. Honours `If-Match`.',
      params: IdParams,
      body: TenantPutBody,
      response: { 200: TenantRef },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.replace(request.principal, request.params.id, request.body, request.headers['if-match']);
      return reply.header('etag', tenantEtag(tenant)).send(tenant);
    },
  });

  app.patch('/tenants/:id', {
    schema: {
      operationId: operationId('tenant.update'),
      tags,
      summary: 'Update a tenant',
      description:
        'Partial update. `metadata` is merged (a key set to null is removed); `settings` is merged. `isActive: false` deactivates the tenant. Honours `If-Match`.',
      params: IdParams,
      body: TenantPatchBody,
      response: { 200: TenantRef },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.update(request.principal, request.params.id, request.body, request.headers['if-match']);
      return reply.header('etag', tenantEtag(tenant)).send(tenant);
    },
  });

  app.delete('/tenants/:id', {
    schema: {
      operationId: operationId('tenant.delete'),
      tags,
      summary: 'Delete a tenant',
      description:
        'Schedules the purge: the tenant moves to `pending_deletion` with `deletedAt` and `purgeAt` (after `LANDLORD_TENANT_RETENTION`, default 30 days), reads as 404, and its keys, tokens and sessions stop at once; its users, keys and webhooks are kept for `POST /v1/tenants/{id}/restore` until `purgeAt`, and its name, slug and externalId stay taken. `purge=true` removes it for good now (also a tenant already pending deletion). 409 `DELETION_PROTECTED` while `deletionProtection` is on; 409 `TENANT_HAS_USERS` while it has users, unless `force=true`. Honours `If-Match`.',
      params: IdParams,
      querystring: Type.Object(
        {
          force: Type.Optional(Type.Boolean({ description: 'Delete it although it has users (they go with it at the purge)' })),
          purge: Type.Optional(Type.Boolean({ description: 'Remove it for good now, with its users, keys and webhooks' })),
        },
        { additionalProperties: false },
      ),
      response: { 204: Type.Null({ description: 'Deleted' }) },
    },
    handler: async (request, reply) => {
      const options = { force: request.query.force ?? false, purge: request.query.purge ?? false };
      await tenants.remove(request.principal, request.params.id, options, request.headers['if-match']);
      return reply.code(204).send(null);
    },
  });

  app.post('/tenants/:id/restore', {
    schema: {
      operationId: operationId('tenant.restore'),
      tags,
      summary: 'Restore a deleted tenant',
      description:
        'Admins, before `purgeAt`: the tenant comes back as it was, with its users, keys and webhooks (its keys and sessions work again). 409 `TENANT_NOT_DELETED` for a tenant that is not deleted, 409 `RETENTION_OVER` once its purge is due.',
      params: IdParams,
      response: { 200: TenantRef },
    },
    handler: async (request, reply) => {
      const tenant = await tenants.restore(request.principal, request.params.id);
      return reply.header('etag', tenantEtag(tenant)).send(tenant);
    },
  });

  app.get('/tenants/:id/export', {
    schema: {
      operationId: operationId('tenant.export'),
      tags,
      summary: 'Export every record of a tenant',
      description: 'One JSON document with the tenant, its users and its API keys. Secrets and password hashes are never included.',
      params: IdParams,
      response: { 200: TenantExportSchema },
    },
    handler: async (request) => tenants.export(request.principal, request.params.id),
  });
};
