import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.js';
import { operationId } from '../../operations.js';
import type { SsoConnectionService } from './sso-connection.service.js';
import { SsoConnectionCreateBody, SsoConnectionParams, SsoConnectionUpdateBody } from './sso.schemas.js';

const tags = ['Single sign-on'];

export const ssoConnectionRoutes: FastifyPluginAsync<{ connections: SsoConnectionService }> = async (fastify, { connections }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/tenants/:id/sso-connections', {
    schema: {
      operationId: operationId('sso_connection.create'),
      tags,
      summary: 'Connect the tenant to its OpenID Connect provider',
      description:
        'Reads the issuer\'s discovery document first: an issuer that does not answer is 422 `ISSUER_UNREACHABLE` on `issuer`, one without an OpenID Connect discovery document 422 `NOT_OIDC_ISSUER`, a private or loopback address (unless LANDLORD_WEBHOOKS_ALLOW_PRIVATE) or plain http 422 `BAD_URL`. Register `redirectUri` at the provider. A domain belongs to one connection in the deployment (409 `DOMAIN_TAKEN`), and not to users outside this tenant (409 `DOMAIN_IN_USE`). `defaultRole: "owner"` needs a caller that may create owners. The client secret is write-only.',
      params: IdParams,
      body: SsoConnectionCreateBody,
      response: { 201: Type.Ref('SsoConnection') },
    },
    handler: async (request, reply) => {
      const connection = await connections.create(request.principal, request.params.id, request.body);
      return reply.code(201).header('location', `/v1/tenants/${request.params.id}/sso-connections/${connection.id}`).send(connection);
    },
  });

  app.get('/tenants/:id/sso-connections', {
    schema: {
      operationId: operationId('sso_connection.list'),
      tags,
      summary: "The tenant's SSO connections, oldest first",
      description: "The tenant's OIDC connections, with their domains and redirect URI; never a client secret.",
      params: IdParams,
      response: { 200: Type.Object({ results: Type.Array(Type.Ref('SsoConnection'), { description: 'At most 100' }) }) },
    },
    handler: async (request) => ({ results: await connections.list(request.principal, request.params.id) }),
  });

  app.get('/tenants/:id/sso-connections/:connectionId', {
    schema: {
      operationId: operationId('sso_connection.get'),
      tags,
      summary: 'One SSO connection',
      description: 'One connection of the tenant; never its client secret. A connection of another tenant is 404.',
      params: SsoConnectionParams,
      response: { 200: Type.Ref('SsoConnection') },
    },
    handler: async (request) => connections.get(request.principal, request.params.id, request.params.connectionId),
  });

  app.patch('/tenants/:id/sso-connections/:connectionId', {
    schema: {
      operationId: operationId('sso_connection.update'),
      tags,
      summary: 'Change an SSO connection',
      description:
        'A new `issuer`, `clientId` or `clientSecret` reads discovery again (the same 422s as at creation). `domains` replaces the list. `isEnabled: false` stops sign-ins through it at once.',
      params: SsoConnectionParams,
      body: SsoConnectionUpdateBody,
      response: { 200: Type.Ref('SsoConnection') },
    },
    handler: async (request) => connections.update(request.principal, request.params.id, request.params.connectionId, request.body),
  });

  app.delete('/tenants/:id/sso-connections/:connectionId', {
    schema: {
      operationId: operationId('sso_connection.delete'),
      tags,
      summary: 'Delete an SSO connection',
      description: 'Its domains are free again. Users it created stay, and sign in another way (a sign-in link, a password reset).',
      params: SsoConnectionParams,
      response: { 204: Type.Null({ description: 'Deleted' }) },
    },
    handler: async (request, reply) => {
      await connections.remove(request.principal, request.params.id, request.params.connectionId);
      return reply.code(204).send(null);
    },
  });
};
