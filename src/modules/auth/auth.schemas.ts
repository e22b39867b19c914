import { Type } from 'typebox';
import { Email, Timestamp } from '../../lib/schemas.js';

export const SessionSchema = Type.Object({
  user: Type.Ref('User'),
  expiresAt: Timestamp,
  csrfToken: Type.String({ description: 'Send as `X-CSRF-Token` on state-changing calls made with the session cookie' }),
});

export const LoginBody = Type.Object({ email: Email(), password: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false });
export const ConsumeLinkBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });
