import { Type, type Static } from 'typebox';
import { Email, Timestamp } from '../../lib/schemas.js';

/** An email domain as a provider's users have it: lower-case labels, at least one dot. */
const Domain = Type.String({
  minLength: 3,
  maxLength: 253,
  pattern: '^(?=.{3,253}$)([a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$',
  'x-error-code': 'BAD_DOMAIN',
  examples: ['contoso.com'],
});

const DefaultRole = Type.Unsafe<'owner' | 'member'>({
  type: 'string',
  enum: ['owner', 'member'],
  description: 'The base role of users created at their first sign-in. Default `member`',
  'x-error-code': 'BAD_ROLE',
});

export const SsoConnectionSchema = Type.Object(
  {
    id: Type.String({ examples: ['sso_01kjpx72p5xr4ev3x3mxxpban6'] }),
    tenantId: Type.String(),
    type: Type.Literal('oidc'),
    issuer: Type.String({ description: "The provider's issuer identifier, as its discovery document states it" }),
    clientId: Type.String(),
    domains: Type.Array(Type.String(), { description: 'Email domains whose users sign in through this connection' }),
    defaultRole: DefaultRole,
    isEnabled: Type.Boolean(),
    redirectUri: Type.String({ description: 'The redirect (callback) URI to register at the provider' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'SsoConnection', description: 'A connection to an OpenID Connect provider. The client secret is write-only: it is never returned.' },
);
export type SsoConnection = Static<typeof SsoConnectionSchema>;

const Issuer = Type.String({
  maxLength: 2048,
  'x-error-code': 'BAD_URL',
  description: 'https URL; discovery is read from `{issuer}/.well-known/openid-configuration`',
});
const ClientId = Type.String({ minLength: 1, maxLength: 255 });
const ClientSecret = Type.String({ minLength: 1, maxLength: 1024, description: 'Write-only; stored sealed' });
const Domains = Type.Array(Domain, { minItems: 1, maxItems: 20, description: 'One connection per domain in the deployment' });

export const SsoConnectionCreateBody = Type.Object(
  {
    type: Type.Literal('oidc', { 'x-error-code': 'BAD_TYPE' }),
    issuer: Issuer,
    clientId: ClientId,
    clientSecret: ClientSecret,
    domains: Domains,
    defaultRole: Type.Optional(DefaultRole),
    isEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type SsoConnectionCreateInput = Static<typeof SsoConnectionCreateBody>;

export const SsoConnectionUpdateBody = Type.Object(
  {
    issuer: Type.Optional(Issuer),
    clientId: Type.Optional(ClientId),
    clientSecret: Type.Optional(ClientSecret),
    domains: Type.Optional(Domains),
    defaultRole: Type.Optional(DefaultRole),
    isEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SsoConnectionUpdateInput = Static<typeof SsoConnectionUpdateBody>;

export const SsoConnectionParams = Type.Object({ id: Type.String({ maxLength: 64 }), connectionId: Type.String({ maxLength: 64 }) });

export const SsoStartQuery = Type.Object(
  {
    email: Type.Optional(Email({ description: "The user's email: its domain picks the connection, and the provider gets it as `login_hint`" })),
    connectionId: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const SsoLookupQuery = Type.Object({ email: Email() }, { additionalProperties: false });

export const SsoCallbackQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 512 })),
    code: Type.Optional(Type.String({ maxLength: 4096 })),
    error: Type.Optional(Type.String({ maxLength: 256 })),
    error_description: Type.Optional(Type.String({ maxLength: 2048 })),
    iss: Type.Optional(Type.String({ maxLength: 2048 })),
    session_state: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: true },
);
