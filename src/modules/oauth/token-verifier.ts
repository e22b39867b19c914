import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Role } from '../access/principal.js';
import { isId } from '../../lib/ids.js';
import { USER_TOKEN_USE, type AccessTokenClaims, type AccessTokenVerifier } from './access-token.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

export const TOKEN_AUDIENCE = 'landlord';
export const TOKEN_TYPE = 'at+jwt';
/**
 * Tolerated clock difference between the node that signed and the one that verifies, for `iat`
 * only: a token is issued no later than its key expires, and must not outlive it by a leeway.
 */
const CLOCK_TOLERANCE_SECONDS = 30;
const ROLES: ReadonlySet<string> = new Set<Role>(['admin', 'owner', 'member']);
/** A signed-in superadmin's session token carries its role; API key tokens never do. */
const USER_ROLES: ReadonlySet<string> = new Set<Role>(['superadmin', 'admin', 'owner', 'member']);

const invalid = (detail = 'The access token is not valid') => errors.unauthorized(detail);

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 1000 && v.every(str);

/**
 * A signed-in user's token: `sub` must be a user id, and it says what the user holds. Kept apart
 * from API key tokens, so neither can pass for the other (a key id is never read as a user's).
 */
function toUserClaims(p: JWTPayload): AccessTokenClaims | null {
  const { iss, sub, aud, exp, iat, jti } = p;
  const { org, tid, role, roles, permissions } = p as Record<string, unknown>;
  if (!str(iss) || !str(sub) || !isId(sub, 'usr') || !str(aud) || !str(jti) || !str(org)) return null;
  if (typeof exp !== 'number' || typeof iat !== 'number' || !str(role) || !USER_ROLES.has(role)) return null;
  if ((tid !== undefined && !str(tid)) || !strings(roles) || !strings(permissions)) return null;
  // Tenant users carry their tenant; organization users never do.
  if ((role === 'owner' || role === 'member') !== (tid !== undefined)) return null;
  const { plan, features } = p as { plan?: string | null; features?: Record<string, boolean | number | string> };
  return {
    iss,
    sub,
    aud,
    exp,
    iat,
    jti,
    org,
    ...(tid !== undefined ? { tid } : {}),
    role: role as Role,
    scope: permissions.join(' '),
    token_use: USER_TOKEN_USE,
    roles,
    permissions,
    ...(plan !== undefined ? { plan } : {}),
    ...(features !== undefined ? { features } : {}),
  };
}

/** Our claims, or null when the payload does not have the shape this server issues. */
function toClaims(p: JWTPayload): AccessTokenClaims | null {
  const { iss, sub, aud, exp, iat, jti } = p;
  const { org, tid, role, scope, kv, token_use } = p as Record<string, unknown>;
  if (token_use === USER_TOKEN_USE) return toUserClaims(p);
  // Any other marker is not ours; an API key token never names a user.
  if (token_use !== undefined || (typeof sub === 'string' && sub.startsWith('usr_'))) return null;
  if (!str(iss) || !str(sub) || !str(aud) || !str(jti) || !str(org) || typeof scope !== 'string') return null;
  if (typeof exp !== 'number' || typeof iat !== 'number') return null;
  if (!str(role) || !ROLES.has(role) || (tid !== undefined && !str(tid)) || (kv !== undefined && !str(kv))) return null;
  // A tenant-bound role without a tenant would act on no tenant; never trust such a token.
  if (role !== 'admin' && tid === undefined) return null;
  return { iss, sub, aud, exp, iat, jti, org, ...(tid !== undefined ? { tid } : {}), role: role as Role, scope, ...(kv !== undefined ? { kv } : {}) };
}

/**
 * Verifies access tokens from memory only: the algorithm is pinned to EdDSA before any key is
 * looked up (so `none` and HS256 "signed" with the public key never get near a verifier), the
 * key is chosen by kid among our own keys only, and iss, aud, exp and typ are checked.
 */
export function createAccessTokenVerifier(deps: { keys: SigningKeys; clock: Clock; issuer: string }): AccessTokenVerifier {
  return {
    async verify(token) {
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch {
        throw invalid();
      }
      if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string' || header.kid.length > 128) throw invalid();
      const key = await deps.keys.verificationKey(header.kid);
      if (!key) throw invalid('The access token was signed by an unknown key');
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: [SIGNING_ALG],
          issuer: deps.issuer,
          audience: TOKEN_AUDIENCE,
          typ: TOKEN_TYPE,
          clockTolerance: 0,
          currentDate: deps.clock.now(),
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        }));
      } catch (error) {
        if (error instanceof joseErrors.JWTExpired) throw invalid('The access token has expired');
        throw invalid();
      }
      const claims = toClaims(payload);
      if (!claims) throw invalid();
      // Issued in the future (beyond clock skew): not a token this server minted honestly.
      if (claims.iat > deps.clock.now().getTime() / 1000 + CLOCK_TOLERANCE_SECONDS) throw invalid('The access token was issued in the future');
      return claims;
    },
  };
}
