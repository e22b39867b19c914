import { Type, type Static } from 'typebox';
import { DocumentedAs, Nullable, Timestamp } from '../../lib/schemas.js';
import { EVENT_TYPES } from '../../operations.js';

export const EventSchema = Type.Object({
  id: Type.String(),
  type: Type.String(),
  sequence: Type.Integer({ description: 'Increasing per tenant (per organization for events without a tenant)' }),
  createdAt: Timestamp,
  organizationId: Type.String(),
  tenantId: Nullable(Type.String()),
  data: Type.Object({ object: Type.Unknown(), previous: Type.Optional(Type.Unknown()) }),
});

const TYPE_CHOICE = EVENT_TYPES.map((t) => t.replace('.', '\\.')).join('|');

export const EventListQuery = Type.Object({
  after: Type.Optional(Type.String({ maxLength: 200, description: 'Cursor from `next`' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  type: Type.Optional(
    // Unknown types match nothing rather than being refused, so the vocabulary is the document's only.
    DocumentedAs(Type.String({ maxLength: 1000, description: 'One type or a comma-separated list' }), {
      anyOf: [
        { type: 'string', enum: [...EVENT_TYPES], description: 'One event type' },
        { type: 'string', pattern: `^(${TYPE_CHOICE})(,(${TYPE_CHOICE}))+$`, description: 'Several event types, comma-separated' },
      ],
    }),
  ),
  tenantId: Type.Optional(Type.String({ maxLength: 64 })),
  organizationId: Type.Optional(Type.String({ maxLength: 64 })),
});

export const EventList = Type.Object({ results: Type.Array(EventSchema), next: Nullable(Type.String()) });

export type EventView = Static<typeof EventSchema>;
export type EventQuery = Static<typeof EventListQuery>;
