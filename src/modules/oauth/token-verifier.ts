import { decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { errors } from '../../lib/errors.js';
import type { Clock } from '../../lib/clock.js';
import type { Role } from '../access/principal.js';
import type { AccessTokenClaims, AccessTokenVerifier } from './access-token.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';

export const TOKEN_AUDIENCE = 'landlord';
export const TOKEN_TYPE = 'at+jwt';
/**
 * Tolerated clock difference between the node that signed and the one that verifies, for `iat`
 * only: a token is issued no later than its key expires, and must not outlive it by a leeway.
 */
const CLOCK_TOLERANCE_SECONDS = 30;
const ROLES: ReadonlySet<string> = new Set<Role>(['admin', 'owner', 'member']);

const invalid = (detail = 'The access token is not valid') => errors.unauthorized(detail);

/** Our claims, or null when the payload does not have the shape this server issues. */
function toClaims(p: JWTPayload): AccessTokenClaims | null {
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 4096;
  const { iss, sub, aud, exp, iat, jti } = p;
  const { org, tid, role, scope, kv } = p as Record<string, unknown>;
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
