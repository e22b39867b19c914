import { randomToken, sha256 } from '../../lib/crypto.js';

export const SECRET_PREFIX = 'lk_';

export interface GeneratedSecret {
  secret: string;
  hash: string;
  prefix: string;
}

/** A new API key secret: `lk_` + 43 base62 characters (256 bits); only its SHA-256 is stored. */
export function generateSecret(kind = ''): GeneratedSecret {
  const secret = `${SECRET_PREFIX}${kind}${randomToken(43)}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX.length + kind.length + 8) };
}

// Secrets carry 256 random bits, so a fast hash is enough: no dictionary to slow down.
export function hashSecret(secret: string): string {
  return sha256(secret);
}

export function looksLikeSecret(value: string): boolean {
  return value.startsWith(SECRET_PREFIX) && value.length >= 40 && value.length <= 200;
}
