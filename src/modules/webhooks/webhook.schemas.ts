import { Type, type Static } from 'typebox';
import { DocumentedAs, HttpUrl, Nullable, Timestamp } from '../../lib/schemas.js';
import { EVENT_TYPES } from '../../operations.js';

const EVENTS_DESCRIPTION = `\`["*"]\` for every event, or a list of: ${EVENT_TYPES.map((t) => `\`${t}\``).join(', ')}`;

/**
 * An event type an endpoint subscribes to, or `*` for all. The service checks it (422
 * `BAD_FORMAT`, naming the known types), so the enum is the document's only.
 */
export const SubscribedEvent = (options: { maxLength?: number } = {}) => DocumentedAs(Type.String(options), { enum: ['*', ...EVENT_TYPES] });

/** The type of an event this API wrote: one of the event types (the document's enum; responses are not validated). */
const EventType = () => DocumentedAs(Type.String(), { enum: [...EVENT_TYPES] });

export const WebhookSchema = Type.Object(
  {
    id: Type.String({ examples: ['whk_01kjpx72m862wcmvcc9bvytveh'] }),
    organizationId: Type.String(),
    tenantId: Nullable(Type.String(), { description: 'The tenant whose events it receives; null for an organization-wide endpoint' }),
    url: Type.String(),
    events: Type.Array(SubscribedEvent(), { description: EVENTS_DESCRIPTION }),
    description: Nullable(Type.String()),
    isEnabled: Type.Boolean(),
    disabledReason: Nullable(Type.String({ description: 'Why delivery stopped, when Landlord disabled the endpoint itself' })),
    failingSince: Nullable(Timestamp, { description: 'Start of the current run of failed attempts; null after any success' }),
    previousSecretExpiresAt: Nullable(Timestamp, { description: 'Until then, the secret before the last rotation signs too' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Webhook' },
);
export type Webhook = Static<typeof WebhookSchema>;

export const WebhookWithSecret = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'The signing secret (`whsec_…`): shown only in this response; store it now' }),
});

const Events = Type.Array(SubscribedEvent({ maxLength: 64 }), { minItems: 1, maxItems: 50, description: `${EVENTS_DESCRIPTION}; default \`["*"]\`` });
const Description = Nullable(Type.String({ maxLength: 500 }));
const READ_ONLY = ['id', 'tenantId', 'secret', 'disabledReason', 'failingSince', 'previousSecretExpiresAt', 'createdAt', 'updatedAt'];

export const WebhookCreateBody = Type.Object(
  {
    url: HttpUrl(),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    isEnabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
    organizationId: Type.Optional(Type.String({ maxLength: 64, description: "Superadmins only; defaults to the caller's organization" })),
  },
  { additionalProperties: false, 'x-read-only': READ_ONLY },
);

export const TenantWebhookCreateBody = Type.Object(
  {
    url: HttpUrl(),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    isEnabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  },
  { additionalProperties: false, 'x-read-only': [...READ_ONLY, 'organizationId'] },
);

export const WebhookPatchBody = Type.Object(
  {
    url: Type.Optional(HttpUrl()),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    isEnabled: Type.Optional(Type.Boolean({ description: 'Re-enabling also clears `disabledReason` and `failingSince`' })),
  },
  { additionalProperties: false, 'x-read-only': [...READ_ONLY, 'organizationId'] },
);
export type WebhookPatchInput = Static<typeof WebhookPatchBody>;

export const RotateSecretBody = Type.Optional(
  Type.Object(
    {
      overlapSeconds: Type.Optional(
        Type.Integer({ minimum: 0, maximum: 7 * 86400, description: 'How long the previous secret keeps signing too (default 86400)' }),
      ),
    },
    { additionalProperties: false },
  ),
);

export const WebhookListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1-100 (default 20)' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from `next`' })),
  tenantId: Type.Optional(Type.String({ maxLength: 64, description: "Only this tenant's endpoints" })),
  organizationId: Type.Optional(Type.String({ maxLength: 64, description: 'Superadmins: only this organization' })),
  organizationWide: Type.Optional(
    Type.Boolean({ description: "true: only the endpoints that receive every tenant's events (no `tenantId`); false: only tenant endpoints" }),
  ),
});
export type WebhookListQueryInput = Static<typeof WebhookListQuery>;

export const WebhookList = Type.Object({
  results: Type.Array(Type.Ref('Webhook')),
  next: Nullable(Type.String({ description: 'URL of the next page, or null' })),
});

export const AttemptSchema = Type.Object({
  attemptedAt: Timestamp,
  statusCode: Nullable(Type.Integer(), { description: 'HTTP status of the response; null when none came (timeout, refused, closed)' }),
  durationMs: Type.Integer(),
  error: Nullable(Type.String()),
  responseExcerpt: Nullable(Type.String({ description: 'The first KiB of the response body' })),
});

export const DeliveryPayloadSchema = Type.Object(
  {
    id: Type.String({ description: 'The event id, also sent as the `webhook-id` header' }),
    type: EventType(),
    createdAt: Timestamp,
    organizationId: Type.String(),
    tenantId: Nullable(Type.String()),
    data: Type.Object({ object: Type.Unknown(), previous: Type.Optional(Type.Unknown()) }),
  },
  {
    description:
      'The JSON body POSTed to the endpoint, the same on every attempt: the event without its sequence. The signing secret is not in it (only in the signature header, as an HMAC).',
  },
);

export const DeliverySchema = Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventId: Type.String(),
  eventType: Nullable(EventType()),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('succeeded'), Type.Literal('failed')]),
  attemptCount: Type.Integer(),
  nextAttemptAt: Nullable(Timestamp, { description: 'When a pending delivery is tried next' }),
  lastStatusCode: Nullable(Type.Integer()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  completedAt: Nullable(Timestamp),
  attempts: Type.Array(AttemptSchema, { description: 'Every attempt, oldest first' }),
  payload: Nullable(DeliveryPayloadSchema, { description: 'The body POSTed to the endpoint; null when its event no longer exists' }),
});
export type Delivery = Static<typeof DeliverySchema>;

export const DeliveryListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1-100 (default 20)' })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: 'Opaque cursor from `next`' })),
  status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('sending'), Type.Literal('succeeded'), Type.Literal('failed')])),
  eventId: Type.Optional(Type.String({ maxLength: 64 })),
});
export type DeliveryListQueryInput = Static<typeof DeliveryListQuery>;

export const DeliveryList = Type.Object({
  results: Type.Array(DeliverySchema, { description: 'Newest first' }),
  next: Nullable(Type.String({ description: 'URL of the next page, or null' })),
});

export const TestResult = Type.Object({
  eventId: Type.String(),
  deliveryId: Type.String(),
});
