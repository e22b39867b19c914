import { operationId } from '../../operations.js';
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { IdParams } from '../../lib/schemas.js';
import { webhookEtag, type WebhookService } from './webhook.service.js';
import {
  DeliveryList,
  DeliveryListQuery,
  DeliverySchema,
  RotateSecretBody,
  TenantWebhookCreateBody,
  TestResult,
  WebhookCreateBody,
  WebhookList,
  WebhookListQuery,
  WebhookPatchBody,
  WebhookWithSecret,
} from './webhook.schemas.js';

const tags = ['Webhooks'];
const WebhookRef = Type.Ref('Webhook');
const SIGNING =
  'Deliveries follow Standard Webhooks: a JSON `POST` of the event with `webhook-id` (the event id), `webhook-timestamp` and ' +
  '`webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the base64 part of the `whsec_` secret).';
const URL_RULES =
  'Only `http`/`https` URLs; `localhost` and loopback, private, link-local, CGNAT and metadata addresses are refused (422 `BAD_URL` on `url`) ' +
  'unless the operator sets `LANDLORD_WEBHOOKS_ALLOW_PRIVATE=true`; a name resolving to such an address is refused at delivery. ' +
  'Unknown event types are 422 on `events`.';

export const webhookRoutes: FastifyPluginAsync<{ webhooks: WebhookService }> = async (fastify, { webhooks }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/webhooks', {
    schema: {
      operationId: operationId('webhook.create'),
      tags,
      summary: 'Subscribe an organization-wide endpoint',
      description: `Receives the events of the whole organization (every tenant). ${URL_RULES} Tenant credentials use \`/v1/tenants/{id}/webhooks\` (403 here). ${SIGNING}`,
      body: WebhookCreateBody,
      response: { 201: WebhookWithSecret },
    },
    handler: async (request, reply) => {
      const { organizationId, ...input } = request.body;
      const webhook = await webhooks.create(request.principal, { organizationId }, input);
      return reply.code(201).header('location', `/v1/webhooks/${webhook.id}`).send(webhook);
    },
  });

  app.get('/webhooks', {
    schema: {
      operationId: operationId('webhook.list'),
      tags,
      summary: 'List the endpoints the caller can see, newest first (never their secrets)',
      description: "Administrators see their organization's endpoints, tenant ones included (filter with `tenantId`); tenant credentials their tenant's.",
      querystring: WebhookListQuery,
      response: { 200: WebhookList },
    },
    handler: async (request) => {
      const page = await webhooks.list(request.principal, {}, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });

  app.post('/tenants/:id/webhooks', {
    schema: {
      operationId: operationId('webhook.create', 'tenant'),
      tags,
      summary: "Subscribe an endpoint to one tenant's events",
      description: `${URL_RULES} ${SIGNING}`,
      params: IdParams,
      body: TenantWebhookCreateBody,
      response: { 201: WebhookWithSecret },
    },
    handler: async (request, reply) => {
      const webhook = await webhooks.create(request.principal, { tenantId: request.params.id }, request.body);
      return reply.code(201).header('location', `/v1/webhooks/${webhook.id}`).send(webhook);
    },
  });

  app.get('/tenants/:id/webhooks', {
    schema: {
      operationId: operationId('webhook.list', 'tenant'),
      tags,
      summary: "List a tenant's endpoints, newest first (never their secrets)",
      description: "The tenant's endpoints with their subscriptions and health (`failingSince`, `disabledReason`); never a secret.",
      params: IdParams,
      querystring: WebhookListQuery,
      response: { 200: WebhookList },
    },
    handler: async (request) => {
      const page = await webhooks.list(request.principal, { tenantId: request.params.id }, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });

  app.get('/webhooks/:id', {
    schema: {
      operationId: operationId('webhook.get'),
      tags,
      summary: 'Retrieve an endpoint (without its secret)',
      description: 'One endpoint, tenant-wide or organization-wide; never its secret. Carries `ETag`.',
      params: IdParams,
      response: { 200: WebhookRef },
    },
    handler: async (request, reply) => {
      const webhook = await webhooks.get(request.principal, request.params.id);
      return reply.header('etag', webhookEtag(webhook)).send(webhook);
    },
  });

  app.patch('/webhooks/:id', {
    schema: {
      operationId: operationId('webhook.update'),
      tags,
      summary: 'Change an endpoint',
      description: `Honours \`If-Match\`. ${URL_RULES}`,
      params: IdParams,
      body: WebhookPatchBody,
      response: { 200: WebhookRef },
    },
    handler: async (request, reply) => {
      const webhook = await webhooks.update(request.principal, request.params.id, request.body, request.headers['if-match']);
      return reply.header('etag', webhookEtag(webhook)).send(webhook);
    },
  });

  app.delete('/webhooks/:id', {
    schema: {
      operationId: operationId('webhook.delete'),
      tags,
      summary: 'Delete an endpoint and its delivery log',
      description: 'Honours `If-Match`. Deliveries still pending are dropped.',
      params: IdParams,
      response: { 204: Type.Null() },
    },
    handler: async (request, reply) => {
      await webhooks.remove(request.principal, request.params.id, request.headers['if-match']);
      return reply.code(204).send(null);
    },
  });

  app.post('/webhooks/:id/test', {
    schema: {
      operationId: operationId('webhook.test'),
      tags,
      summary: 'Send a `webhook.test` event to this endpoint only',
      description: 'The delivery is queued like any other (see the delivery log). 409 `WEBHOOK_DISABLED` when the endpoint is disabled.',
      params: IdParams,
      response: { 202: TestResult },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.test(request.principal, request.params.id)),
  });

  app.get('/webhooks/:id/deliveries', {
    schema: {
      operationId: operationId('webhook.delivery_list'),
      tags,
      summary: "An endpoint's delivery log, newest first, each delivery with every attempt",
      description: 'Attempts carry the status code, duration, error and the first KiB of the response.',
      params: IdParams,
      querystring: DeliveryListQuery,
      response: { 200: DeliveryList },
    },
    handler: async (request) => {
      const page = await webhooks.deliveries(request.principal, request.params.id, request.query);
      return { ...page, next: request.pageLink(page.next) };
    },
  });

  app.post('/webhooks/:id/deliveries/:deliveryId/retry', {
    schema: {
      operationId: operationId('webhook.delivery_retry'),
      tags,
      summary: 'Queue a delivery again, due now',
      description:
        'For a failed (or succeeded) delivery this is one more attempt; for a pending one it skips the wait. 409 `DELIVERY_IN_PROGRESS` while a worker is sending it, `WEBHOOK_DISABLED` when the endpoint is disabled.',
      params: Type.Object({ id: Type.String({ maxLength: 64 }), deliveryId: Type.String({ maxLength: 64 }) }),
      response: { 202: DeliverySchema },
    },
    handler: async (request, reply) => reply.code(202).send(await webhooks.retry(request.principal, request.params.id, request.params.deliveryId)),
  });

  app.post('/webhooks/:id/rotate-secret', {
    schema: {
      operationId: operationId('webhook.rotate_secret'),
      tags,
      summary: 'A new signing secret, shown once',
      description:
        'During the overlap (`overlapSeconds`, default 86400; 0 ends the old secret at once) deliveries carry two signatures, one per secret, so the receiver can switch at its own pace.',
      params: IdParams,
      body: RotateSecretBody,
      response: { 200: WebhookWithSecret },
    },
    handler: async (request) => webhooks.rotateSecret(request.principal, request.params.id, request.body?.overlapSeconds),
  });
};
