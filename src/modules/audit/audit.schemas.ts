import { Type, type Static } from 'typebox';
import { MapOf, Nullable, Timestamp } from '../../lib/schemas.js';

export const AuditSchema = Type.Object({
  id: Type.String(),
  occurredAt: Timestamp,
  organizationId: Nullable(Type.String()),
  tenantId: Nullable(Type.String()),
  actor: Type.Object({ type: Type.String({ description: 'root, api_key, user, system or anonymous' }), id: Nullable(Type.String()) }),
  credentialId: Nullable(Type.String()),
  action: Type.String({ description: 'Operation name, e.g. tenant.update, auth.login' }),
  target: Nullable(Type.Object({ type: Type.String(), id: Type.String() })),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  changes: Nullable(MapOf(Type.Unknown(), { description: 'Changed fields as {field: {from, to}}; secrets never appear' })),
});

export const AuditListQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  tenantId: Type.Optional(Type.String({ maxLength: 64 })),
  actorId: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        'An action, such as `tenant.update`; or, ending in a dot, every action that starts with it: `tenant.` matches `tenant.create`, `tenant.update` and the rest (`%` and `_` in it match only themselves)',
    }),
  ),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  organizationId: Type.Optional(Type.String({ maxLength: 64 })),
});

export const AuditList = Type.Object({ results: Type.Array(AuditSchema), next: Nullable(Type.String()) });

export type AuditEntry = Static<typeof AuditSchema>;
export type AuditQuery = Static<typeof AuditListQuery>;
