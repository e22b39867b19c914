import { SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { randomToken } from '../../lib/crypto.js';
import { isId } from '../../lib/ids.js';
import type { Role } from '../access/principal.js';
import { reaches } from '../access/ownership.js';
import type { OAuthClient } from './client-auth.js';
import { oauthErrors } from './oauth.errors.js';
import { findTenantStatus } from '../access/owner.repository.js';
import { findTenantEntitlements } from '../plans/plan.repository.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';
import { TOKEN_AUDIENCE, TOKEN_TYPE } from './token-verifier.js';

/** The scope token that asks for a token bound to one tenant of an organization key's organization. */
export const TENANT_SCOPE_PREFIX = 'tenant:';
// RFC 6749 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

export interface TokenRequest {
  scope?: string;
  tenant_id?: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Splits `scope` into the plain scopes asked for (null: all of the key's) and an optional tenant binding. */
export function parseScope(scope: string | undefined): { scopes: string[] | null; tenant: string | null } {
  const tokens = (scope ?? '').split(' ').filter((s) => s !== '');
  const bad = tokens.find((s) => !SCOPE_TOKEN.test(s));
  if (bad !== undefined) throw oauthErrors.invalidScope('scope contains a malformed scope token');
  const tenants = [...new Set(tokens.filter((s) => s.startsWith(TENANT_SCOPE_PREFIX)).map((s) => s.slice(TENANT_SCOPE_PREFIX.length)))];
  if (tenants.length > 1) throw oauthErrors.invalidRequest('Ask for at most one tenant:<id> scope');
  const plain = [...new Set(tokens.filter((s) => !s.startsWith(TENANT_SCOPE_PREFIX)))];
  return { scopes: plain.length > 0 ? plain : null, tenant: tenants[0] ?? null };
}

export interface TokenIssuerDeps {
  db: Kysely<Database>;
  clock: Clock;
  keys: SigningKeys;
  issuer: string;
  tokenTtlSeconds: number;
}

/** Issues client-credentials access tokens for authenticated clients. */
export function createTokenIssuer(deps: TokenIssuerDeps) {
  const { db, clock, keys } = deps;

  /** The tenant the token is bound to, if any; every refusal looks the same from outside the organization. */
  async function resolveTenant(client: OAuthClient, requested: string | null): Promise<string | null> {
    if (client.tenantId) {
      if (requested !== null && requested !== client.tenantId) throw oauthErrors.invalidTarget();
      return client.tenantId;
    }
    if (requested === null) return null;
    const tenant = isId(requested, 'tnt') ? await findTenantStatus(db, requested) : undefined;
    if (!tenant || tenant.deleted_at || !reaches(client, { organizationId: tenant.organization_id, tenantId: tenant.id })) throw oauthErrors.invalidTarget();
    if (!tenant.usable) throw oauthErrors.invalidTarget('The tenant is deactivated');
    return tenant.id;
  }

  return {
    async issue(client: OAuthClient, request: TokenRequest): Promise<TokenResponse> {
      const { scopes, tenant } = parseScope(request.scope);
      if (request.tenant_id !== undefined && tenant !== null && request.tenant_id !== tenant) {
        throw oauthErrors.invalidRequest('tenant_id and the tenant:<id> scope name different tenants');
      }
      const granted = scopes ?? client.scopes;
      const held = new Set(client.scopes);
      const extra = granted.filter((s) => !held.has(s));
      if (extra.length > 0) throw oauthErrors.invalidScope(`This client may not request: ${extra.slice(0, 5).join(' ').slice(0, 300)}`);
      const tid = await resolveTenant(client, request.tenant_id ?? tenant);
      const role: Role = tid ? 'owner' : 'admin';

      const now = clock.now().getTime();
      const iat = Math.floor(now / 1000);
      // A token never outlives the API key it was issued to.
      const until = Math.min(now + deps.tokenTtlSeconds * 1000, client.expiresAt?.getTime() ?? Infinity);
      const exp = Math.floor(until / 1000);
      const signer = await keys.signer();
      // A downstream service can gate a feature on the token alone, without calling back.
      const entitlements = tid ? await findTenantEntitlements(db, tid) : undefined;
      const accessToken = await new SignJWT({
        client_id: client.id,
        org: client.organizationId,
        ...(tid ? { tid } : {}),
        ...(entitlements ? { plan: entitlements.plan, features: entitlements.features } : {}),
        role,
        scope: granted.join(' '),
        kv: client.secretFingerprint,
      })
        .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ: TOKEN_TYPE })
        .setIssuer(deps.issuer)
        .setSubject(client.id)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomToken(24))
        .sign(signer.key);
      return { access_token: accessToken, token_type: 'Bearer', expires_in: Math.max(exp - iat, 0), scope: granted.join(' ') };
    },
  };
}
