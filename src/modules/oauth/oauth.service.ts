import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { safeEqual } from '../../lib/crypto.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { MANAGEMENT_SCOPES } from '../access/principal.js';
import { reaches } from '../access/ownership.js';
import type { Revocations } from '../credentials/revocations.js';
import { hashSecret } from '../credentials/api-key.js';
import { parseAuthorization } from '../../lib/authorization.js';
import { isUserToken, type AccessTokenClaims } from './access-token.js';
import { authenticateClient, readClientCredentials, type ClientParams, type OAuthClient } from './client-auth.js';
import { OAuthError, oauthErrors } from './oauth.errors.js';
import type { Throttle } from '../access/throttle.js';
import { insertRevokedToken, isTokenRevokedInDb } from './oauth.repository.js';
import { findTenantStatus } from '../access/owner.repository.js';
import { findTenantEntitlements } from '../plans/plan.repository.js';
import { findApiKeyWithOwner } from '../credentials/api-key.repository.js';
import { findUserRevokedAt, issuedBy } from '../credentials/revocations.js';
import { findUser } from '../users/user.repository.js';
import { isSecretInForce, secretsInForce } from '../credentials/api-key.js';
import { createKeyLookup, type KeyLookup } from '../credentials/key-lookup.js';
import { createSigningKeys } from './signing-keys.js';
import { createTokenIssuer, type TokenRequest } from './token-issuer.js';
import { createAccessTokenVerifier } from './token-verifier.js';
import { createUserTokenIssuer } from './user-token-issuer.js';

export interface OAuthServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  secretBox: SecretBox;
  revocations: Revocations;
  /** The public URL: `iss` of every token and base of the endpoints in the metadata. */
  issuer: string;
  tokenTtlSeconds: number;
  /** Lets the root key call the introspection endpoint as a resource server would. */
  rootKeyHash?: string;
  /** Counts failed client authentications (per client id and address). */
  throttle?: Throttle;
  /** How client secrets are checked (default: a lookup with a key cache of its own). */
  keyLookup?: KeyLookup;
}

export type GrantParams = ClientParams & TokenRequest & { grant_type: string };
export type TokenParams = ClientParams & { token?: string; token_type_hint?: string };

export type IntrospectionResult = { active: false } | ({ active: true; client_id?: string; token_type: 'Bearer' } & AccessTokenClaims);

/** The OAuth 2.0 authorization server: token endpoint, introspection, revocation, keys and metadata. */
export function createOAuthService(deps: OAuthServiceDeps) {
  const { db, clock, revocations, issuer } = deps;
  const keys = createSigningKeys(deps);
  const verifier = createAccessTokenVerifier({ keys, clock, issuer });
  const issuerService = createTokenIssuer({ db, clock, keys, issuer, tokenTtlSeconds: deps.tokenTtlSeconds });
  const keyLookup = deps.keyLookup ?? createKeyLookup({ db, revocations });
  const userTokens = createUserTokenIssuer({ clock, keys, issuer, tokenTtlSeconds: deps.tokenTtlSeconds });

  /**
   * Authenticates the client. Failures are counted per client id and per address like failed
   * sign-ins: slowed, then refused with 429, so a secret cannot be guessed at speed.
   */
  async function requireClient(authorization: string | undefined, params: ClientParams, ip?: string): Promise<OAuthClient> {
    const credentials = readClientCredentials(authorization, params);
    if (!credentials) throw oauthErrors.invalidClient('Client authentication is required');
    const throttle = deps.throttle;
    if (!throttle) return authenticateClient(keyLookup, clock, credentials);
    // Client secrets are 256-bit and cheap to check: a client may authenticate many times at once; only failures count.
    const attempt = await throttle.begin(`client:${credentials.clientId.slice(0, 64)}`, ip ?? 'unknown', { countBeforeCheck: false });
    try {
      const client = await authenticateClient(keyLookup, clock, credentials);
      await attempt.succeeded();
      return client;
    } catch (error) {
      if (error instanceof OAuthError && error.error === 'invalid_client') await attempt.failed();
      throw error;
    } finally {
      attempt.release();
    }
  }

  /** Introspection also admits the root key as a Bearer credential (a resource server holding it). */
  async function introspectionCaller(authorization: string | undefined, params: ClientParams): Promise<OAuthClient | 'root'> {
    if (authorization && !/^Basic\s/i.test(authorization)) {
      const bearer = parseAuthorization(authorization);
      if (bearer && deps.rootKeyHash && safeEqual(hashSecret(bearer), deps.rootKeyHash)) return 'root';
      throw oauthErrors.invalidClient('Only the root key is accepted as a Bearer credential here');
    }
    return requireClient(authorization, params);
  }

  /** The verified claims, or null for anything invalid or expired (both endpoints answer those quietly). */
  const claimsOf = (token: string) => verifier.verify(token).catch(() => null);

  /** Whether a client reaches the owner of a token: a tenant's token is judged by the tenant's place in the tree now. */
  async function reachesToken(caller: OAuthClient, claims: AccessTokenClaims): Promise<boolean> {
    const owner = { organizationId: claims.org, tenantId: claims.tid ?? null };
    if (reaches(caller, owner)) return true;
    if (!claims.tid || !caller.tenantId) return false;
    const tenant = await findTenantStatus(db, claims.tid);
    return !!tenant && reaches(caller, { ...owner, ancestorIds: tenant.ancestor_ids });
  }

  /** Whether a user's token is still usable: the user exists, is active and was not revoked since, and so is its tenant. */
  async function userStillValid(claims: AccessTokenClaims): Promise<boolean> {
    if (revocations.isTokenRevoked(claims.jti) || revocations.isUserRevoked(claims.sub, claims.iat)) return false;
    if (claims.tid && revocations.isTenantInactive(claims.tid)) return false;
    const [revoked, user, revokedAt, tenant] = await Promise.all([
      isTokenRevokedInDb(db, claims.jti),
      findUser(db, claims.sub),
      findUserRevokedAt(db, claims.sub),
      claims.tid ? findTenantStatus(db, claims.tid) : Promise.resolve(null),
    ]);
    if (revoked || !user || !user.is_active || issuedBy(claims.iat, revokedAt)) return false;
    return tenant === null || tenant?.usable === true;
  }

  /** Whether the token is still usable, reading the database rather than this node's cached view. */
  async function stillValid(claims: AccessTokenClaims): Promise<boolean> {
    if (isUserToken(claims)) return userStillValid(claims);
    if (revocations.isTokenRevoked(claims.jti) || revocations.isKeyRevoked(claims.sub)) return false;
    if (revocations.isRotatedOut(claims.sub, claims.kv, claims.iat)) return false;
    if (claims.tid && revocations.isTenantInactive(claims.tid)) return false;
    const [revoked, key, tenant] = await Promise.all([
      isTokenRevokedInDb(db, claims.jti),
      findApiKeyWithOwner(db, claims.sub),
      claims.tid ? findTenantStatus(db, claims.tid) : Promise.resolve(null),
    ]);
    if (revoked || !key || key.revoked_at) return false;
    // The secret that minted the token must still be in force, judged from the row itself.
    if (claims.kv !== undefined && !isSecretInForce(claims.kv, secretsInForce(key), clock.now())) return false;
    return tenant === null || tenant?.usable === true;
  }

  return {
    verifier,
    async start(): Promise<void> {
      await keys.start();
    },
    rotateSigningKey: () => keys.rotate(),
    /** A signed-in user's session token (`POST /v1/auth/token`), signed like every access token. */
    userToken: userTokens.issue,
    jwks: () => keys.jwks(),

    async token(authorization: string | undefined, params: GrantParams, ip?: string) {
      const client = await requireClient(authorization, params, ip);
      if (params.grant_type !== 'client_credentials') throw oauthErrors.unsupportedGrantType(params.grant_type);
      return issuerService.issue(client, params);
    },

    async introspect(authorization: string | undefined, params: TokenParams): Promise<IntrospectionResult> {
      const caller = await introspectionCaller(authorization, params);
      if (!params.token) throw oauthErrors.invalidRequest('token is required');
      const claims = await claimsOf(params.token);
      if (!claims) return { active: false };
      // A client sees only tokens of its own organization (a tenant key: of its own tenant and its descendants).
      if (caller !== 'root' && !(await reachesToken(caller, claims))) return { active: false };
      if (!(await stillValid(claims))) return { active: false };
      // The tenant's entitlements as they are now, which may have changed since the token was issued.
      const entitlements = claims.tid ? await findTenantEntitlements(db, claims.tid) : undefined;
      const current = entitlements ? { plan: entitlements.plan, features: entitlements.features } : {};
      // A user's token was issued to no client: it has no client_id.
      return { active: true, ...claims, ...current, ...(isUserToken(claims) ? {} : { client_id: claims.sub }), token_type: 'Bearer' };
    },

    async revoke(authorization: string | undefined, params: TokenParams): Promise<void> {
      const client = await requireClient(authorization, params);
      if (!params.token) throw oauthErrors.invalidRequest('token is required');
      // RFC 7009 2.2: an invalid, expired or unknown token needs no revoking; answer 200.
      const claims = await claimsOf(params.token);
      if (!claims) return;
      // A tenant key revokes its own tokens; an organization key any of its organization's.
      const owned =
        (!isUserToken(claims) && claims.sub === client.id) ||
        (client.tenantId === null && reaches(client, { organizationId: claims.org, tenantId: claims.tid ?? null }));
      if (!owned) throw oauthErrors.unauthorizedClient('The token was not issued to this client');
      await insertRevokedToken(db, { jti: claims.jti, revoked_at: clock.now(), expires_at: new Date(claims.exp * 1000) });
      // This node refuses the token at once; the others read revoked_tokens within a poll.
      revocations.markTokenRevoked(claims.jti);
    },

    /** RFC 8414 authorization server metadata. */
    metadata() {
      const auth = ['client_secret_basic', 'client_secret_post'];
      return {
        issuer,
        token_endpoint: `${issuer}/oauth/token`,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        introspection_endpoint: `${issuer}/oauth/introspect`,
        revocation_endpoint: `${issuer}/oauth/revoke`,
        grant_types_supported: ['client_credentials'],
        // No authorization endpoint: no response type is supported.
        response_types_supported: [] as string[],
        token_endpoint_auth_methods_supported: auth,
        introspection_endpoint_auth_methods_supported: auth,
        revocation_endpoint_auth_methods_supported: auth,
        scopes_supported: [...MANAGEMENT_SCOPES],
        service_documentation: `${issuer}/docs`,
      };
    },
  };
}

export type OAuthService = ReturnType<typeof createOAuthService>;
