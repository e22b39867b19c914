import type { Role } from '../access/principal.js';

/** The claims of a Landlord access token (a JWT signed with EdDSA). */
export interface AccessTokenClaims {
  iss: string;
  /** The API key the token was issued to; for a user token, the user. */
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  org: string;
  tid?: string;
  role: Role;
  /** Space-separated scopes (for a user token: its `permissions`, joined). */
  scope: string;
  /**
   * `user` marks a signed-in user's session token (`POST /v1/auth/token`): `sub` is a user id,
   * never an API key's, and `roles` and `permissions` say what the user holds. Absent on API key tokens.
   */
  token_use?: typeof USER_TOKEN_USE;
  roles?: string[];
  permissions?: string[];
  /** Which secret of the key minted the token (its fingerprint): a rotation ends tokens of the old one. */
  kv?: string;
  /** For tenant-bound tokens: the tenant's plan and feature flags when the token was issued. */
  plan?: string | null;
  features?: Record<string, boolean | number | string>;
}

export const USER_TOKEN_USE = 'user';

/** Whether the claims are a signed-in user's token rather than an API key's. */
export const isUserToken = (claims: Pick<AccessTokenClaims, 'token_use'>): boolean => claims.token_use === USER_TOKEN_USE;

/** Verifies signature, algorithm, issuer, audience and expiry; throws a 401 AppError otherwise. No database read. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

/** Three base64url segments: worth trying as a JWT rather than as an API key. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value) && value.length < 8192;
}
