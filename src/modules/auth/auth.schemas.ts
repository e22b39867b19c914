import { Type } from 'typebox';
import { Email, MapOf, Nullable, Timestamp } from '../../lib/schemas.js';

export const SessionSchema = Type.Object({
  user: Type.Ref('User'),
  expiresAt: Timestamp,
  csrfToken: Type.String({ description: 'Send as `X-CSRF-Token` on state-changing calls made with the session cookie' }),
  plan: Nullable(Type.String({ description: "The user's tenant's plan key; null without one (and for organization users)" })),
  features: MapOf(Type.Union([Type.Boolean(), Type.Number(), Type.String()]), { description: "The user's tenant's feature flags (its entitlements)" }),
});

export const LoginBody = Type.Object({ email: Email(), password: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const ConsumeLinkBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
