import type { Role } from '../access/principal.js';

/** The claims of a Landlord access token (a JWT signed with EdDSA). */
export interface AccessTokenClaims {
  iss: string;
  /** The API key the token was issued to. */
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  jti: string;
  org: string;
  tid?: string;
  role: Role;
  /** Space-separated scopes. */
  scope: string;
  /** Which secret of the key minted the token (its fingerprint): a rotation ends tokens of the old one. */
  kv?: string;
  /** For tenant-bound tokens: the tenant's plan and feature flags when the token was issued. */
  plan?: string | null;
  features?: Record<string, boolean | number | string>;
}

/** Verifies signature, algorithm, issuer, audience and expiry; throws a 401 AppError otherwise. No database read. */
export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessTokenClaims>;
}

/** Three base64url segments: worth trying as a JWT rather than as an API key. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value) && value.length < 8192;
}
