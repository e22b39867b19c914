import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import { safeEqual, sha256 } from '../../lib/crypto.js';
import type { Principal, Role } from '../access/principal.js';
import { defaultScopes } from '../access/principal.js';
import { userScopes } from '../access/policy.js';
import { rolePermissionsOf } from '../roles/role.repository.js';
import { tenantUsable } from '../access/owner.repository.js';
import type { Revocations } from '../credentials/revocations.js';
import { isUserToken, looksLikeJwt, type AccessTokenClaims, type AccessTokenVerifier } from '../oauth/access-token.js';
import { hashSecret, looksLikeSecret } from '../credentials/api-key.js';
import type { KeyCheck, KeyLookup } from '../credentials/key-lookup.js';
import { parseAuthorization } from '../../lib/authorization.js';

const KEY_PROBLEMS: Record<KeyCheck['problem'] & string, string> = {
  unknown: 'The credential is not valid',
  wrong_secret: 'The credential was rotated and its grace period is over',
  revoked: 'The credential is not valid',
  expired: 'The API key has expired',
  tenant_inactive: 'The tenant is deactivated',
};

export interface AuthenticatorDeps {
  db: Kysely<Database>;
  clock: Clock;
  rootKeyHash: string;
  defaultOrganizationId: string;
  revocations: Revocations;
  tokens: AccessTokenVerifier;
  keyLookup: KeyLookup;
}

export interface Credentials {
  authorization?: string;
  /** The session cookie's value, when the request carries one. */
  session?: string;
}

export type Authenticator = (credentials: Credentials) => Promise<Principal>;

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { db, clock, revocations } = deps;
  const rootPrincipal: Principal = Object.freeze({
    kind: 'root',
    id: 'root',
    userId: null,
    role: 'superadmin',
    organizationId: deps.defaultOrganizationId,
    tenantId: null,
    scopes: new Set(defaultScopes('superadmin')),
  });

  async function fromApiKey(secret: string): Promise<Principal> {
    const hash = hashSecret(secret);
    if (safeEqual(hash, deps.rootKeyHash)) return rootPrincipal;
    const { key, problem } = await deps.keyLookup(hash, clock.now());
    if (problem) throw errors.unauthorized(KEY_PROBLEMS[problem]);
    return {
      kind: 'api_key',
      id: key.id,
      userId: null,
      role: key.tenant_id ? 'owner' : 'admin',
      organizationId: key.organization_id,
      tenantId: key.tenant_id,
      scopes: new Set(key.scopes),
    };
  }

  // A signature verified once stays verified: remember the claims of recent tokens (expiry and
  // revocation are still checked on every use), so a client reusing its token skips the Ed25519 work.
  const verified = new Map<string, AccessTokenClaims>();
  async function verifyOnce(token: string): Promise<AccessTokenClaims> {
    const known = verified.get(token);
    if (known && known.exp * 1000 > clock.now().getTime()) return known;
    const claims = await deps.tokens.verify(token);
    if (verified.size >= 10_000) verified.clear();
    verified.set(token, claims);
    return claims;
  }

  /** A signed-in user's session token acts as its session would, with the permissions it was issued with. */
  function fromUserToken(claims: AccessTokenClaims): Principal {
    if (revocations.isUserRevoked(claims.sub, claims.iat))
      throw errors.unauthorized('The user was deactivated or deleted, or its permissions changed; ask for a new token');
    if (claims.tid && revocations.isTenantInactive(claims.tid)) throw errors.unauthorized('The tenant is deactivated');
    return {
      kind: 'access_token',
      id: claims.sub,
      userId: claims.sub,
      role: claims.role,
      organizationId: claims.org,
      tenantId: claims.tid ?? null,
      ...userScopes(claims.role, claims.permissions ?? []),
    };
  }

  async function fromToken(token: string): Promise<Principal> {
    const claims = await verifyOnce(token);
    if (revocations.isTokenRevoked(claims.jti)) throw errors.unauthorized('The access token was revoked');
    if (isUserToken(claims)) return fromUserToken(claims);
    if (revocations.isKeyRevoked(claims.sub)) throw errors.unauthorized('The API key behind this token was revoked');
    if (revocations.isRotatedOut(claims.sub, claims.kv, claims.iat)) throw errors.unauthorized('The API key secret this token was issued to has been rotated');
    if (claims.tid && revocations.isTenantInactive(claims.tid)) throw errors.unauthorized('The tenant is deactivated');
    return {
      kind: 'access_token',
      id: claims.sub,
      userId: null,
      role: claims.role,
      organizationId: claims.org,
      tenantId: claims.tid ?? null,
      scopes: new Set(claims.scope.split(' ').filter(Boolean)),
    };
  }

  async function fromSession(value: string): Promise<Principal> {
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('tenants as t', 't.id', 'u.tenant_id')
      .select([
        's.id as session_id',
        's.expires_at',
        'u.id as user_id',
        'u.role',
        'u.organization_id',
        'u.tenant_id',
        'u.is_active',
        tenantUsable('t').as('tenant_active'),
        rolePermissionsOf('u').as('role_permissions'),
      ])
      .where('s.token_hash', '=', sha256(value))
      .executeTakeFirst();
    if (!row || row.expires_at.getTime() <= clock.now().getTime()) throw errors.unauthorized('The session has ended; sign in again');
    if (!row.is_active) throw errors.unauthorized('The user is deactivated');
    if (row.tenant_id && row.tenant_active === false) throw errors.unauthorized('The tenant is deactivated');
    const role = row.role as Role;
    return {
      kind: 'session',
      id: row.session_id,
      userId: row.user_id,
      role,
      organizationId: row.organization_id,
      tenantId: row.tenant_id,
      // Read on every request: a role granted, changed or deleted applies at the session's next call.
      ...userScopes(role, row.role_permissions),
    };
  }

  return async function authenticate({ authorization, session }) {
    const credential = parseAuthorization(authorization);
    if (credential) {
      if (looksLikeSecret(credential)) return fromApiKey(credential);
      if (looksLikeJwt(credential)) return fromToken(credential);
      throw errors.unauthorized('The credential is not valid');
    }
    if (authorization) throw errors.unauthorized('Use Authorization: Bearer <credential>');
    if (session) return fromSession(session);
    throw errors.unauthorized();
  };
}
