import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ApiKeyCreateBody, CreatedKeySchema } from './api-key.schemas.js';
import type { ApiKeyService } from './api-key.service.js';
import { operationId } from '../../operations.js';

const tags = ['API keys'];

function keyRoutes(kind: 'tenants' | 'organizations'): FastifyPluginAsync<{ apiKeys: ApiKeyService }> {
  const owner = kind === 'tenants' ? 'tenant' : 'organization';
  const target = (id: string) => (kind === 'tenants' ? { tenantId: id } : { organizationId: id });
  const who = kind === 'tenants' ? 'tenant (acts as owner)' : 'organization (acts as admin)';
  return async (fastify, { apiKeys }) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
    app.post(`/${kind}/:id/api-keys`, {
      schema: {
        operationId: operationId('api_key.create', owner),
        tags,
        summary: `Create an API key for a ${who}`,
        description:
          owner === 'tenant'
            ? 'A key that acts as an owner of the tenant, with the scopes asked for (never more than the caller holds; application scopes pass through to tokens). Counted against `limits.apiKeys` (409 `QUOTA_EXCEEDED`). The secret is in this response only.'
            : 'A key that acts as an admin of the organization, with the scopes asked for (never more than the caller holds). The secret is in this response only.',
        params: Params,
        body: ApiKeyCreateBody,
        response: { 201: CreatedKeySchema },
      },
      handler: async (request, reply) => {
        const key = await apiKeys.create(request.principal, target(request.params.id), request.body);
        return reply.code(201).send(key);
      },
    });
    app.get(`/${kind}/:id/api-keys`, {
      schema: {
        operationId: operationId('api_key.list', owner),
        tags,
        summary: `List the API keys of a ${kind === 'tenants' ? 'tenant' : 'organization'} (never their secrets)`,
        description:
          owner === 'tenant'
            ? "The tenant's keys in force, newest first, with their scopes and last use; never a secret."
            : "The organization's own keys in force, newest first, with their scopes and last use; never a secret.",
        params: Params,
        response: { 200: Type.Object({ results: Type.Array(Type.Ref('ApiKey')) }) },
      },
      handler: async (request) => ({ results: await apiKeys.list(request.principal, target(request.params.id)) }),
    });
    app.post(`/${kind}/:id/api-keys/:keyId/rotate`, {
      schema: {
        operationId: operationId('api_key.rotate', owner),
        tags,
        summary: 'Rotate an API key: a new secret, the old one valid for a grace period',
        description:
          owner === 'tenant'
            ? 'A new secret for the key; the old one keeps working until the grace period ends (`graceSeconds`, default 24 h). The new secret is in this response only.'
            : 'A new secret for the key; the old one keeps working until the grace period ends (`graceSeconds`, default 24 h), so deployments can switch without downtime. The new secret is in this response only.',
        params: Type.Object({ id: Type.String({ maxLength: 64 }), keyId: Type.String({ maxLength: 64 }) }),
        body: Type.Optional(
          Type.Object(
            {
              gracePeriodSeconds: Type.Optional(
                Type.Integer({ minimum: 0, maximum: 7 * 86400, description: 'How long the old secret keeps working (default 0)' }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: { 200: CreatedKeySchema },
      },
      handler: async (request) => apiKeys.rotate(request.principal, target(request.params.id), request.params.keyId, request.body?.gracePeriodSeconds ?? 0),
    });
    app.delete(`/${kind}/:id/api-keys/:keyId`, {
      schema: {
        operationId: operationId('api_key.revoke', owner),
        tags,
        summary: 'Revoke an API key; it stops working at once',
        description:
          owner === 'tenant'
            ? 'The key, its old secret in a rotation and every token it minted stop at once (401).'
            : 'The key, its old secret in a rotation and every token it minted stop at once (401).',
        params: Type.Object({ id: Type.String({ maxLength: 64 }), keyId: Type.String({ maxLength: 64 }) }),
        response: { 204: Type.Null() },
      },
      handler: async (request, reply) => {
        await apiKeys.revoke(request.principal, target(request.params.id), request.params.keyId);
        return reply.code(204).send(null);
      },
    });
  };
}

export const tenantApiKeyRoutes = keyRoutes('tenants');
export const organizationApiKeyRoutes = keyRoutes('organizations');
