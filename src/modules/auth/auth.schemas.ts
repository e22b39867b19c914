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

export const SessionTokenSchema = Type.Object(
  {
    access_token: Type.String({
      description:
        'A JWT (EdDSA, verify with `/.well-known/jwks.json`; `iss` the public URL, `aud` `landlord`) with claims `sub` (the user id), `token_use: "user"`, `org`, `tid` (tenant users), `role`, `roles`, `permissions`, `plan` and `features` (tenant users), `iat`, `exp`, `jti`',
    }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the token expires (at most 300, and never after the session)' }),
  },
  { description: 'A session token for the signed-in user' },
);
