import { SignJWT } from 'jose';
import type { Clock } from '../../lib/clock.js';
import { randomToken } from '../../lib/crypto.js';
import type { Role } from '../access/principal.js';
import { USER_TOKEN_USE } from './access-token.js';
import { SIGNING_ALG, type SigningKeys } from './signing-keys.js';
import { TOKEN_AUDIENCE, TOKEN_TYPE } from './token-verifier.js';

/**
 * How long a session token lives at most: short, because what it carries (permissions, plan) is
 * a snapshot a downstream service trusts without calling back. Never longer than
 * LANDLORD_TOKEN_TTL, nor than the session it was asked with.
 */
export const USER_TOKEN_TTL_SECONDS = 300;

/** The signed-in user a session token speaks for, as it is when the token is asked for. */
export interface UserTokenSubject {
  userId: string;
  organizationId: string;
  tenantId: string | null;
  role: Role;
  roles: string[];
  permissions: string[];
  /** The tenant's entitlements, for tenant users. */
  plan?: string | null;
  features?: Record<string, boolean | number | string>;
}

export interface UserTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** Signs session tokens with the same keys as `/oauth/token`, so they verify through the same JWKS. */
export function createUserTokenIssuer(deps: { clock: Clock; keys: SigningKeys; issuer: string; tokenTtlSeconds: number }) {
  return {
    async issue(subject: UserTokenSubject, notAfter?: Date): Promise<UserTokenResponse> {
      const now = deps.clock.now().getTime();
      const iat = Math.floor(now / 1000);
      const until = Math.min(now + Math.min(USER_TOKEN_TTL_SECONDS, deps.tokenTtlSeconds) * 1000, notAfter?.getTime() ?? Infinity);
      const exp = Math.floor(until / 1000);
      const signer = await deps.keys.signer();
      const accessToken = await new SignJWT({
        token_use: USER_TOKEN_USE,
        org: subject.organizationId,
        ...(subject.tenantId ? { tid: subject.tenantId, plan: subject.plan ?? null, features: subject.features ?? {} } : {}),
        role: subject.role,
        roles: subject.roles,
        permissions: subject.permissions,
      })
        .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ: TOKEN_TYPE })
        .setIssuer(deps.issuer)
        .setSubject(subject.userId)
        .setAudience(TOKEN_AUDIENCE)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomToken(24))
        .sign(signer.key);
      return { access_token: accessToken, token_type: 'Bearer', expires_in: Math.max(exp - iat, 0) };
    },
  };
}

export type UserTokenIssuer = ReturnType<typeof createUserTokenIssuer>;
