import { Type, type Static } from 'typebox';
import { Nullable, Timestamp } from '../../lib/schemas.js';
import { ScopeString } from '../access/scope.schemas.js';

export const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the secret, to recognise it' }),
    scopes: Type.Array(ScopeString()),
    organizationId: Type.String(),
    tenantId: Nullable(Type.String()),
    createdAt: Timestamp,
    expiresAt: Nullable(Timestamp),
    lastUsedAt: Nullable(Timestamp),
  },
  { $id: 'ApiKey' },
);
export const CreatedKeySchema = Type.Object({
  ...ApiKeySchema.properties,
  secret: Type.String({ description: 'Shown only in this response; store it now' }),
});

export const ApiKeyCreateBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    scopes: Type.Optional(Type.Array(ScopeString({ maxLength: 128 }), { maxItems: 64, description: "Defaults to every scope of the key's role" })),
    expiresAt: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  },
  { additionalProperties: false, 'x-read-only': ['id', 'prefix', 'createdAt', 'lastUsedAt', 'secret'] },
);

export type ApiKey = Static<typeof ApiKeySchema>;
export type ApiKeyCreateInput = Static<typeof ApiKeyCreateBody>;
