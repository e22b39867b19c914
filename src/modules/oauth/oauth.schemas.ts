import { Type } from 'typebox';
import { MANAGEMENT_SCOPES } from '../access/principal.js';
import { MapOf, Nullable } from '../../lib/schemas.js';

// RFC 6749 3.2: parameters the server does not know are ignored, so bodies here are open.
const open = { additionalProperties: true };

const ClientParams = {
  client_id: Type.Optional(Type.String({ maxLength: 64, description: 'The API key id (`key_…`), when not sent with HTTP Basic' })),
  client_secret: Type.Optional(Type.String({ maxLength: 256, description: 'The API key secret (`lk_…`), when not sent with HTTP Basic' })),
};

export const TokenBody = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64, description: 'Only `client_credentials`' }),
    scope: Type.Optional(
      Type.String({
        maxLength: 4096,
        description: `Space-separated subset of the key's scopes (default: all of them). An organization key may add \`tenant:<id>\` to bind the token to one tenant. Management scopes: ${MANAGEMENT_SCOPES.join(', ')}`,
      }),
    ),
    tenant_id: Type.Optional(
      Type.String({ maxLength: 64, description: 'Organization keys: bind the token to this tenant of the organization (role `owner`)' }),
    ),
    ...ClientParams,
  },
  open,
);

export const TokenResponse = Type.Object(
  {
    access_token: Type.String({ description: 'A JWT (EdDSA) to send as `Authorization: Bearer …`' }),
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Integer({ description: 'Seconds until the token expires' }),
    scope: Type.String({ description: 'The granted scopes, space-separated' }),
  },
  { description: 'The access token (RFC 6749 5.1)' },
);

export const TokenParamsBody = Type.Object(
  {
    token: Type.String({ maxLength: 8192, description: 'The access token' }),
    token_type_hint: Type.Optional(Type.String({ maxLength: 64, description: 'Ignored: only access tokens exist' })),
    ...ClientParams,
  },
  open,
);

export const IntrospectionResponse = Type.Object(
  {
    active: Type.Boolean({ description: "False for anything invalid, expired, revoked or outside the caller's organization" }),
    scope: Type.Optional(Type.String()),
    client_id: Type.Optional(Type.String()),
    sub: Type.Optional(Type.String()),
    exp: Type.Optional(Type.Integer()),
    iat: Type.Optional(Type.Integer()),
    iss: Type.Optional(Type.String()),
    aud: Type.Optional(Type.String()),
    jti: Type.Optional(Type.String()),
    token_type: Type.Optional(Type.Literal('Bearer')),
    org: Type.Optional(Type.String({ description: 'Organization id' })),
    tid: Type.Optional(Type.String({ description: 'Tenant id, for tenant-bound tokens' })),
    role: Type.Optional(Type.String({ description: "`admin` or `owner`; for a user token, the user's base role" })),
    token_use: Type.Optional(
      Type.Literal('user', { description: "`user` for a signed-in user's session token (`sub` is the user id); absent for API key tokens" }),
    ),
    roles: Type.Optional(Type.Array(Type.String(), { description: "User tokens: the user's custom roles when the token was issued" })),
    permissions: Type.Optional(Type.Array(Type.String(), { description: "User tokens: the user's permissions when the token was issued" })),
    plan: Type.Optional(Nullable(Type.String({ description: "Tenant-bound tokens: the tenant's plan key now" }))),
    features: Type.Optional(
      MapOf(Type.Union([Type.Boolean(), Type.Number(), Type.String()]), {
        description: "Tenant-bound tokens: the tenant's feature flags now (the token's `features` claim has them as issued)",
      }),
    ),
  },
  { description: 'RFC 7662 introspection response' },
);

export const OAuthErrorBody = Type.Object(
  {
    error: Type.String({
      description:
        'RFC 6749 error code: invalid_request, invalid_client, invalid_grant, unauthorized_client, unsupported_grant_type, invalid_scope, invalid_target, server_error, temporarily_unavailable',
    }),
    error_description: Type.String(),
  },
  { description: 'RFC 6749 error response' },
);

/** Every OAuth endpoint's error statuses, declared with the OAuth body (not problem+json). */
export const oauthErrorResponses = {
  400: { ...OAuthErrorBody, description: 'invalid_request, unsupported_grant_type, invalid_scope, invalid_target, unauthorized_client' },
  401: { ...OAuthErrorBody, description: 'invalid_client (with `WWW-Authenticate: Basic`)' },
  413: { ...OAuthErrorBody, description: 'Body too large (invalid_request)' },
  429: { ...OAuthErrorBody, description: 'temporarily_unavailable: too many failed client authentications from this address (`Retry-After`)' },
  500: { ...OAuthErrorBody, description: 'server_error' },
  503: { ...OAuthErrorBody, description: 'temporarily_unavailable' },
};

export const Jwks = Type.Object(
  {
    keys: Type.Array(
      Type.Object({
        kty: Type.Literal('OKP'),
        crv: Type.Literal('Ed25519'),
        x: Type.String(),
        kid: Type.String(),
        alg: Type.Literal('EdDSA'),
        use: Type.Literal('sig'),
      }),
    ),
  },
  { description: 'Active keys and retired keys whose tokens may not have expired yet; public members only' },
);

export const ServerMetadata = Type.Object(
  {
    issuer: Type.String(),
    token_endpoint: Type.String(),
    jwks_uri: Type.String(),
    introspection_endpoint: Type.String(),
    revocation_endpoint: Type.String(),
    grant_types_supported: Type.Array(Type.String()),
    response_types_supported: Type.Array(Type.String()),
    token_endpoint_auth_methods_supported: Type.Array(Type.String()),
    introspection_endpoint_auth_methods_supported: Type.Array(Type.String()),
    revocation_endpoint_auth_methods_supported: Type.Array(Type.String()),
    scopes_supported: Type.Array(Type.String()),
    service_documentation: Type.String(),
  },
  { description: 'RFC 8414 authorization server metadata' },
);
