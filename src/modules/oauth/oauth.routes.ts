import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { oauthErrors, registerOAuthErrorHandler } from './oauth.errors.js';
import { IntrospectionResponse, Jwks, oauthErrorResponses, ServerMetadata, TokenBody, TokenParamsBody, TokenResponse } from './oauth.schemas.js';
import type { OAuthService } from './oauth.service.js';
import { operationId } from '../../operations.js';

const tags = ['OAuth'];
const consumes = ['application/x-www-form-urlencoded', 'application/json'];
// Client authentication: HTTP Basic, or client_id/client_secret in the body (the empty requirement).
const clientAuth: Array<Record<string, string[]>> = [{ clientBasic: [] }, {}];
const BODY_LIMIT = 64 * 1024;

type Done = (err: Error | null, body?: unknown) => void;

/** RFC 6749 appendix B form bodies; a repeated parameter is an error (section 3.1), not "last one wins". */
function parseForm(_request: unknown, body: string | Buffer, done: Done) {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body.toString())) {
    if (Object.hasOwn(out, name)) return done(oauthErrors.invalidRequest(`${name.slice(0, 64)} is given more than once`));
    out[name] = value;
  }
  done(null, out);
}

function noStore(reply: FastifyReply) {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

/** Token, introspection and revocation endpoints: their own body parser and RFC 6749 error bodies. */
const oauthEndpoints: FastifyPluginAsync<{ oauth: OAuthService }> = async (fastify, { oauth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Only this encapsulated context accepts forms; /v1 keeps answering them with 415.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT }, parseForm);
  registerOAuthErrorHandler(app);

  app.post('/oauth/token', {
    bodyLimit: BODY_LIMIT,
    schema: {
      operationId: operationId('oauth.token'),
      tags,
      summary: 'Exchange an API key for an access token (client credentials)',
      description:
        'RFC 6749 client credentials grant. The client authenticates with HTTP Basic (`client_id` = API key id, `client_secret` = its secret) or with both in the body. The token is a JWT signed with EdDSA; verify it with the keys at `/.well-known/jwks.json`. Failed client authentications are counted per client id and address: after 5 from one address against one client (10 against any), that address gets 429 with `Retry-After` for 15 minutes; successful requests are never limited by this, however many run at once.',
      consumes,
      security: clientAuth,
      body: TokenBody,
      response: { 200: TokenResponse, ...oauthErrorResponses },
    },
    handler: async (request, reply) => noStore(reply).send(await oauth.token(request.headers.authorization, request.body, request.ip)),
  });

  app.post('/oauth/introspect', {
    bodyLimit: BODY_LIMIT,
    schema: {
      operationId: operationId('oauth.introspect'),
      tags,
      summary: 'Introspect an access token (RFC 7662)',
      description:
        'Authenticated like the token endpoint, or with the root key as a Bearer credential. Anything invalid, expired, revoked or outside the client\'s organization (a tenant key: its tenant) is `{"active": false}`.',
      consumes,
      security: [...clientAuth, { bearer: [] }],
      body: TokenParamsBody,
      response: { 200: IntrospectionResponse, ...oauthErrorResponses },
    },
    handler: async (request, reply) => noStore(reply).send(await oauth.introspect(request.headers.authorization, request.body)),
  });

  app.post('/oauth/revoke', {
    bodyLimit: BODY_LIMIT,
    schema: {
      operationId: operationId('oauth.revoke'),
      tags,
      summary: 'Revoke an access token (RFC 7009)',
      description:
        'A client may revoke tokens issued to itself; an organization key also those of its organization. Unknown, invalid and expired tokens are answered 200 as well.',
      consumes,
      security: clientAuth,
      body: TokenParamsBody,
      response: { 200: { type: 'null', description: 'Revoked, or nothing to revoke' }, ...oauthErrorResponses },
    },
    handler: async (request, reply) => {
      await oauth.revoke(request.headers.authorization, request.body);
      return noStore(reply).code(200).send();
    },
  });
};

/** Public discovery documents; errors here stay problem+json like every other non-OAuth route. */
const wellKnownRoutes: FastifyPluginAsync<{ oauth: OAuthService }> = async (fastify, { oauth }) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // Short caching: clients refetch soon enough to see a rotated key, and a retired key stays published for a token lifetime.
  const cacheable = (reply: FastifyReply) => reply.header('cache-control', 'public, max-age=300');

  app.get('/.well-known/jwks.json', {
    schema: {
      operationId: operationId('oauth.jwks'),
      tags,
      summary: 'Public keys that verify access tokens (JWKS)',
      description:
        'The public keys (RS256) that sign access tokens and user tokens, current and retired ones still verifying tokens in force. Cache it; fetch again on an unknown `kid`.',
      security: [],
      response: { 200: Jwks },
    },
    handler: async (_request, reply) => cacheable(reply).send(await oauth.jwks()),
  });

  app.get('/.well-known/oauth-authorization-server', {
    schema: {
      operationId: operationId('oauth.metadata'),
      tags,
      summary: 'Authorization server metadata (RFC 8414)',
      description: 'The issuer, token, introspection, revocation and JWKS endpoints and what they support, for OAuth client libraries.',
      security: [],
      response: { 200: ServerMetadata },
    },
    handler: async (_request, reply) => cacheable(reply).send(oauth.metadata()),
  });
};

export const oauthRoutes: FastifyPluginAsync<{ oauth: OAuthService }> = async (app, options) => {
  await app.register(wellKnownRoutes, options);
  await app.register(oauthEndpoints, options);
};
