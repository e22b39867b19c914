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

export const AcceptInvitationBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', 'x-pattern-message': 'must not be blank' }),
    password: Type.String({ maxLength: 128 }),
  },
  { additionalProperties: false },
);

export const PasswordResetBody = Type.Object({ email: Email() }, { additionalProperties: false });
export const PasswordResetConfirmBody = Type.Object(
  { token: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ maxLength: 128 }) },
  { additionalProperties: false },
);
