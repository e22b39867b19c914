import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { operationId } from '../../operations.js';
import { PlanCreateBody, PlanKeyParams, PlanList, PlanOrganizationQuery, PlanPatchBody } from './plan.schemas.js';
import type { PlanService } from './plan.service.js';

const tags = ['Plans'];
const Ref = Type.Ref('Plan');

export const planRoutes: FastifyPluginAsync<{ plans: PlanService }> = async (fastify, { plans }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/plans', {
    schema: {
      operationId: operationId('plan.create'),
      tags,
      summary: 'Create a plan (admins)',
      description:
        'A named set of `features` (flags: boolean, number or string) and `limits` (`users`, `apiKeys`, `webhooks`, `requestsPerMinute`; absent means unlimited) that tenants of the organization are put on with `plan`. 409 `PLAN_KEY_OCCUPIED` when the key is taken.',
      body: PlanCreateBody,
      response: { 201: Ref },
    },
    handler: async (request, reply) => {
      const plan = await plans.create(request.principal, request.body);
      return reply.code(201).header('location', `/v1/plans/${plan.key}`).send(plan);
    },
  });

  app.get('/plans', {
    schema: {
      operationId: operationId('plan.list'),
      tags,
      summary: "List the organization's plans (admins)",
      description: "The organization's plans with their features and limits. A tenant's `entitlements` merge its plan's with its own.",
      querystring: PlanOrganizationQuery,
      response: { 200: PlanList },
    },
    handler: async (request) => ({ results: await plans.list(request.principal, request.query.organizationId) }),
  });

  app.get('/plans/:key', {
    schema: {
      operationId: operationId('plan.get'),
      tags,
      summary: 'Retrieve a plan (admins)',
      description: 'One plan by its key; 404 for one of another organization.',
      params: PlanKeyParams,
      querystring: PlanOrganizationQuery,
      response: { 200: Ref },
    },
    handler: async (request) => plans.get(request.principal, request.params.key, request.query.organizationId),
  });

  app.patch('/plans/:key', {
    schema: {
      operationId: operationId('plan.update'),
      tags,
      summary: 'Update a plan (admins)',
      description:
        "`features` and `limits` are merged (a key set to null is removed). Every tenant on the plan is entitled to the new values at once; the change is one `plan.updated` event (tenants' own `tenant.entitlements_updated` events come from changes to a tenant's `plan`, `features` or `limits`).",
      params: PlanKeyParams,
      querystring: PlanOrganizationQuery,
      body: PlanPatchBody,
      response: { 200: Ref },
    },
    handler: async (request) => plans.update(request.principal, request.params.key, request.body, request.query.organizationId),
  });

  app.delete('/plans/:key', {
    schema: {
      operationId: operationId('plan.delete'),
      tags,
      summary: 'Delete a plan (admins)',
      description: '409 `PLAN_IN_USE` while tenants are on it (deleted tenants too, until they are purged).',
      params: PlanKeyParams,
      querystring: PlanOrganizationQuery,
      response: { 204: Type.Null({ description: 'Deleted' }) },
    },
    handler: async (request, reply) => {
      await plans.remove(request.principal, request.params.key, request.query.organizationId);
      return reply.code(204).send(null);
    },
  });
};
