import { EVENT_TYPES, type EventType } from '../operations.js';

/**
 * The OpenAPI `webhooks` section: what Landlord POSTs to an endpoint, one operation and one
 * schema per event type, and `WebhookEvent`, their union discriminated on `type`. Each event
 * carries the object it is about (`data.object`, as the API returns it) and, for changes, the
 * object before (`data.previous`).
 */

const OBJECT_OF: Record<string, string | null> = {
  tenant: 'Tenant',
  plan: 'Plan',
  role: 'Role',
  user: 'User',
  api_key: 'ApiKey',
  invitation: 'Invitation',
  sso_connection: 'SsoConnection',
  webhook: null,
};

const schemaName = (type: EventType) => `Event_${type.replace('.', '_')}`;

function objectSchema(type: EventType): Record<string, unknown> {
  if (type === 'webhook.test') {
    return { type: 'object', properties: { webhookId: { type: 'string' }, message: { type: 'string' } }, required: ['webhookId', 'message'] };
  }
  if (type === 'webhook.disabled') return { $ref: '#/components/schemas/Webhook' };
  const name = OBJECT_OF[type.split('.')[0]];
  return name ? { $ref: `#/components/schemas/${name}` } : { type: 'object' };
}

function eventSchema(type: EventType) {
  const object = objectSchema(type);
  return {
    type: 'object',
    description: `The \`${type}\` event, as delivered and as listed by \`GET /v1/events\``,
    required: ['id', 'type', 'createdAt', 'organizationId', 'tenantId', 'data'],
    properties: {
      id: { type: 'string', description: 'The event id; also the `webhook-id` header, the same on every retry', examples: ['evt_01kjpx72sned8rhycej2kxk431'] },
      type: { type: 'string', const: type },
      sequence: { type: 'integer', description: 'Listed events only (`GET /v1/events`): increasing per tenant, or per organization for events without one' },
      createdAt: { type: 'string', format: 'date-time' },
      organizationId: { type: 'string' },
      tenantId: { type: ['string', 'null'] },
      data: {
        type: 'object',
        required: ['object'],
        properties: { object, previous: { ...object, description: 'The object before the change (updates only)' } },
      },
    },
  };
}

type Doc = {
  webhooks?: Record<string, unknown>;
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> }>>;
  components?: { schemas?: Record<string, unknown>; headers?: Record<string, unknown> };
};

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', description: 'The event id: deduplicate on it' },
  { name: 'webhook-timestamp', description: 'Unix seconds of this attempt; refuse old ones to stop replays' },
  {
    name: 'webhook-signature',
    description: '`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` under the endpoint secret (Standard Webhooks); two during a rotation',
  },
];

export function declareWebhooks<T extends object>(input: T): T {
  const doc = input as Doc;
  const schemas = (doc.components ??= {}).schemas ?? (doc.components.schemas = {});
  for (const type of EVENT_TYPES) schemas[schemaName(type)] = eventSchema(type);
  schemas.WebhookEvent = {
    description: 'Any event Landlord delivers, told apart by `type`',
    oneOf: EVENT_TYPES.map((type) => ({ $ref: `#/components/schemas/${schemaName(type)}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(EVENT_TYPES.map((type) => [type, `#/components/schemas/${schemaName(type)}`])),
    },
  };
  // The event stream lists the same events.
  const listed = doc.paths?.['/v1/events']?.get?.responses?.['200']?.content?.['application/json']?.schema?.properties;
  if (listed?.results) listed.results = { type: 'array', items: { $ref: '#/components/schemas/WebhookEvent' } };
  doc.webhooks = Object.fromEntries(
    EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_event.${type}`,
          summary: `${type}`,
          description: `Sent to every enabled endpoint subscribed to \`${type}\` (or \`*\`) of its tenant or organization. Answer 2xx within the timeout; anything else is retried with backoff.`,
          tags: ['Webhook events'],
          parameters: SIGNATURE_HEADERS.map((h) => ({ in: 'header', name: h.name, required: true, description: h.description, schema: { type: 'string' } })),
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(type)}` } } } },
          responses: {
            '200': { description: 'Received (any 2xx counts)' },
            '400': { description: 'Refused (a bad signature, say): retried, then counted as a failure' },
          },
        },
      },
    ]),
  );
  return input;
}
